"""Events API shapes: the event_callback envelope and message / App Home events."""

from __future__ import annotations

import secrets
from typing import Any

from bot.standin.models import JSON, RecordedMessage, User
from bot.standin.shapes import user_json
from bot.standin.state import Workspace


def new_event_id() -> str:
    """An event id like Ev08ABCDEF12."""
    return "Ev" + secrets.token_hex(5).upper()


def envelope(ws: Workspace, event: JSON, *, token: str, event_id: str, event_time: int) -> JSON:
    """The event_callback envelope Slack wraps every event in."""
    return {
        "token": token,
        "team_id": ws.team_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "authed_users": [ws.bot_user_id],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }


def channel_type(ws: Workspace, channel_id: str) -> str:
    """im, mpim, group (private channel) or channel, as message events say."""
    channel = ws.channels.get(channel_id)
    if channel is None or not (channel.is_im or channel.is_mpim or channel.is_private):
        return "im" if channel_id.startswith("D") else "channel"
    return "im" if channel.is_im else "mpim" if channel.is_mpim else "group"


def _thread_keys(ws: Workspace, message: RecordedMessage) -> JSON:
    if message.thread_ts is None or message.thread_ts == message.ts:
        return {}
    parent = ws.find_message(message.channel, message.thread_ts)
    return {"thread_ts": message.thread_ts, "parent_user_id": parent.user if parent else ""}


def message_body(ws: Workspace, message: RecordedMessage) -> JSON:
    """A person's message as events carry it (also inside message_changed / message_deleted)."""
    body: JSON = {"type": "message", "text": message.text, "user": message.user}
    if message.client_msg_id is not None:
        body["client_msg_id"] = message.client_msg_id
    if message.subtype is not None:
        body["subtype"] = message.subtype
    body.update({"ts": message.ts, "blocks": message.blocks, "team": ws.team_id})
    if message.edited_ts is not None:
        body["edited"] = {"user": message.user, "ts": message.edited_ts}
    body.update(_thread_keys(ws, message))
    return body


def message_event(ws: Workspace, message: RecordedMessage, **extra: Any) -> JSON:
    """A message event (message.im, message.channels, ...) for a recorded message."""
    event = message_body(ws, message)
    if message.subtype == "me_message":  # Slack's me_message carries no blocks or client id
        event.pop("blocks", None)
        event.pop("client_msg_id", None)
    if message.files:
        event.update({"files": message.files, "upload": False, "display_as_bot": False})
    if message.bot_id is not None and message.subtype == "bot_message":
        event.pop("user", None)
        event.pop("client_msg_id", None)
        event.pop("team", None)
        event.update({"bot_id": message.bot_id, "attachments": message.attachments})
    event.update(extra)
    event.update({"channel": message.channel, "event_ts": message.ts})
    event["channel_type"] = channel_type(ws, message.channel)
    return event


def changed_event(ws: Workspace, message: RecordedMessage, previous: JSON, event_ts: str) -> JSON:
    """message_changed for an edited message; `previous` is its body before the edit."""
    current = message_body(ws, message)
    for body in (current, previous):
        body.update({"source_team": ws.team_id, "user_team": ws.team_id})
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": current,
        "previous_message": previous,
        "channel": message.channel,
        "hidden": True,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel_type(ws, message.channel),
    }


TOMBSTONE_TEXT = "This message was deleted."


def tombstone_body(ws: Workspace, message: RecordedMessage, replies: list[RecordedMessage]) -> JSON:
    """What Slack leaves of a deleted message that has thread replies: Slackbot's tombstone."""
    authors = list(dict.fromkeys(r.user for r in replies))
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": TOMBSTONE_TEXT,
        "user": "USLACKBOT",
        "hidden": True,
        "ts": message.ts,
        "thread_ts": message.ts,
        "parent_user_id": "USLACKBOT",
        "reply_count": len(replies),
        "reply_users_count": len(authors),
        "latest_reply": replies[-1].ts if replies else "0000000000.000000",
        "reply_users": authors,
        "is_locked": False,
        "subscribed": False,
    }


def tombstoned_event(
    ws: Workspace, message: RecordedMessage, previous: JSON, tombstone: JSON, event_ts: str
) -> JSON:
    """message_changed whose new message is the tombstone: how Slack reports deleting a
    message that has thread replies (no message_deleted is sent for it)."""
    previous = {**previous, "source_team": ws.team_id, "user_team": ws.team_id}
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": tombstone,
        "previous_message": previous,
        "channel": message.channel,
        "hidden": True,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel_type(ws, message.channel),
    }


def deleted_event(ws: Workspace, message: RecordedMessage, event_ts: str) -> JSON:
    """message_deleted for a message that is gone."""
    previous = message_body(ws, message)
    return {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": previous,
        "channel": message.channel,
        "hidden": True,
        "deleted_ts": message.ts,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel_type(ws, message.channel),
    }


def home_opened_event(ws: Workspace, user_id: str, event_ts: str) -> JSON:
    """app_home_opened, carrying the Home view when one was published."""
    event: JSON = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": ws.ensure_im(user_id).id,
        "tab": "home",
        "event_ts": event_ts,
    }
    view_id = ws.homes.get(user_id)
    if view_id is not None:
        event["view"] = ws.views[view_id].view
    return event


def user_change_event(ws: Workspace, user: User, event_ts: str) -> JSON:
    """user_change, carrying the member as users.info describes them now."""
    body = user_json(user, ws.team_id, ws.now(), bot_id=ws.bot_id, app_id=ws.app_id)
    return {"type": "user_change", "user": body, "cache_ts": ws.epoch(), "event_ts": event_ts}
