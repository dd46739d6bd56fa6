"""JSON shapes of users, conversations and messages, keyed like Slack's recorded responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.standin.models import JSON, Channel, RecordedMessage, User

_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
}


def tz_facts(tz: str, at: datetime) -> tuple[str, int]:
    """(tz_label, tz_offset in seconds) of an IANA zone at instant `at`."""
    local = at.astimezone(ZoneInfo(tz))
    offset = local.utcoffset()
    abbreviation = local.tzname() or tz
    return _TZ_LABELS.get(abbreviation, abbreviation), int(offset.total_seconds()) if offset else 0


def user_json(user: User, team_id: str, at: datetime, *, bot_id: str, app_id: str) -> JSON:
    """A user object as users.info answers it (no tz keys for a user without a zone)."""
    first, _, last = user.real_name.partition(" ")
    profile: JSON = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "first_name": first,
        "last_name": last,
        "title": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": "g0000000000",
        "image_24": "https://a.slack-edge.com/avatar-24.png",
        "image_48": "https://a.slack-edge.com/avatar-48.png",
        "image_72": "https://a.slack-edge.com/avatar-72.png",
        "team": team_id,
    }
    if user.is_bot:
        profile.update({"bot_id": bot_id, "api_app_id": app_id, "always_active": True})
    zone: JSON = {}
    if user.tz:
        label, offset = tz_facts(user.tz, at)
        zone = {"tz": user.tz, "tz_label": label, "tz_offset": offset}
    return {
        "id": user.id,
        "team_id": team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        **zone,
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": user.is_owner,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": user.updated,
        "is_email_confirmed": not user.is_bot,
        "who_can_share_contact_card": "EVERYONE",
    }


def channel_json(channel: Channel, *, team_id: str, bot_user_id: str, num_members: bool) -> JSON:
    """A conversation object as conversations.info / conversations.join answer it."""
    topic: JSON = {"value": "", "creator": "", "last_set": 0}
    body: JSON = {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not (channel.is_private or channel.is_im or channel.is_mpim),
        "is_group": channel.is_private and not channel.is_mpim,
        "is_im": channel.is_im,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private or channel.is_im or channel.is_mpim,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": False,
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": team_id,
        "updated": channel.created * 1000,
        "creator": channel.creator,
        "is_member": bot_user_id in channel.members,
        "topic": topic,
        "purpose": dict(topic),
        "previous_names": [],
        "last_read": "0000000000.000000",
    }
    if num_members:
        body["num_members"] = len(channel.members)
    return body


def im_json(channel: Channel, *, team_id: str, full: bool) -> JSON:
    """A DM / group DM as conversations.open answers it (`full` for return_im)."""
    if not full:
        return {"id": channel.id}
    body: JSON = {
        "id": channel.id,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_im": channel.is_im,
        "is_org_shared": False,
        "context_team_id": team_id,
        "updated": channel.created * 1000,
        "last_read": "0000000000.000000",
        "unread_count": 0,
        "unread_count_display": 0,
        "is_open": True,
        "priority": 0,
    }
    if channel.im_user is not None:
        body["user"] = channel.im_user
    return body


def bot_profile(
    *, bot_id: str, app_id: str, team_id: str, name: str, with_user: str | None
) -> JSON:
    """The bot_profile Slack attaches to messages the app posts."""
    icons = {f"image_{n}": f"https://a.slack-edge.com/bot-{n}.png" for n in (36, 48, 72)}
    profile: JSON = {
        "id": bot_id,
        "deleted": False,
        "name": name,
        "updated": 1700000000,
        "app_id": app_id,
        "icons": icons,
        "team_id": team_id,
    }
    if with_user is not None:
        profile["user_id"] = with_user
    return profile


def message_json(message: RecordedMessage, *, team_id: str, profile: JSON | None) -> JSON:
    """A message object as chat.postMessage and events carry it."""
    body: JSON = {"type": "message", "text": message.text, "user": message.user, "ts": message.ts}
    body["team"] = team_id
    if message.subtype:
        body["subtype"] = message.subtype
    if message.bot_id is not None and profile is not None:
        body["bot_id"] = message.bot_id
        body["app_id"] = profile["app_id"]
        body["bot_profile"] = profile
    if message.client_msg_id is not None:
        body["client_msg_id"] = message.client_msg_id
    if message.blocks:
        body["blocks"] = message.blocks
    if message.attachments:
        body["attachments"] = message.attachments
    if message.metadata is not None:
        body["metadata"] = message.metadata
    if message.thread_ts is not None and message.thread_ts != message.ts:
        body["thread_ts"] = message.thread_ts
    if message.edited_ts is not None:
        body["edited"] = {"user": message.bot_id or message.user, "ts": message.edited_ts}
    return body


def strip_keys(body: JSON, *keys: str) -> JSON:
    """A copy of `body` without `keys`."""
    return {k: v for k, v in body.items() if k not in keys}


def rich_text_blocks(text: str) -> list[Any]:
    """The rich_text block Slack clients attach to a typed message."""
    return [
        {
            "type": "rich_text",
            "block_id": "rt" + format(abs(hash(text)) % 10**6, "06d"),
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]
