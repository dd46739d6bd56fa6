"""chat.* methods of the stand-in."""

from __future__ import annotations

from bot.standin.api_common import (
    Handler,
    Params,
    json_param,
    message_content,
    postable_channel,
    text_param,
)
from bot.standin.models import JSON, ApiError, RecordedMessage
from bot.standin.shapes import bot_profile, message_json, strip_keys
from bot.standin.state import Workspace


def _profile(ws: Workspace, *, with_user: bool) -> JSON:
    user = ws.bot_user_id if with_user else None
    return bot_profile(
        bot_id=ws.bot_id, app_id=ws.app_id, team_id=ws.team_id, name=ws.bot_name, with_user=user
    )


def post_message(ws: Workspace, params: Params) -> JSON:
    """chat.postMessage: post as the bot; a user id as channel means the bot's DM with them."""
    text, blocks = message_content(params)
    metadata = json_param(params, "metadata", "invalid_metadata_format")
    if metadata is not None and not isinstance(metadata, dict):
        raise ApiError("invalid_metadata_format")
    attachments = json_param(params, "attachments", "invalid_attachments") or []
    with ws.lock:
        channel = postable_channel(ws, text_param(params, "channel"))
        thread_ts = text_param(params, "thread_ts")
        parent = ws.find_message(channel.id, thread_ts) if thread_ts else None
        message = RecordedMessage(
            channel=channel.id,
            user=ws.bot_user_id,
            text=text,
            blocks=blocks,
            ts=ws.next_ts(),
            thread_ts=thread_ts,
            bot_id=ws.bot_id,
            attachments=attachments if isinstance(attachments, list) else [],
            metadata=metadata,
        )
        ws.record_message(message)
        body = message_json(message, team_id=ws.team_id, profile=_profile(ws, with_user=True))
        if thread_ts is not None:
            body["parent_user_id"] = parent.user if parent else ws.bot_user_id
        return {"ok": True, "channel": channel.id, "ts": message.ts, "message": body}


def update(ws: Workspace, params: Params) -> JSON:
    """chat.update: edit a message the bot posted, keeping the old version in its history."""
    with ws.lock:
        channel = ws.channel(text_param(params, "channel") or "")
        ts = text_param(params, "ts") or ""
        message = ws.find_message(channel.id, ts)
        if message is None or message.is_ephemeral:
            raise ApiError("message_not_found")
        if message.user != ws.bot_user_id:
            raise ApiError("cant_update_message")
        if channel.is_archived:
            raise ApiError("is_inactive")
        text, blocks = message_content(params, require_content=False)
        if "blocks" not in params:
            blocks = message.blocks
        ws.edit_message(message, text, blocks)
        ws.note(f"{ws.where(message)} (edited): {ws.render(message)}")
        body = message_json(message, team_id=ws.team_id, profile=_profile(ws, with_user=False))
        body = strip_keys(body, "ts", "thread_ts", "attachments", "subtype")
        return {"ok": True, "channel": channel.id, "ts": ts, "text": text, "message": body}


def post_ephemeral(ws: Workspace, params: Params) -> JSON:
    """chat.postEphemeral: a message only `user` sees, in a conversation they are in."""
    try:
        text, blocks = message_content(params)
    except ApiError as exc:  # Slack's recorded chat.postEphemeral answers have no response_metadata
        raise ApiError(exc.code) from exc
    with ws.lock:
        channel = postable_channel(ws, text_param(params, "channel"))
        user_id = text_param(params, "user") or ""
        if user_id not in channel.members:
            raise ApiError("user_not_in_channel")
        message = RecordedMessage(
            channel=channel.id,
            user=ws.bot_user_id,
            text=text,
            blocks=blocks,
            ts=ws.next_ts(),
            thread_ts=text_param(params, "thread_ts"),
            ephemeral_to=user_id,
            bot_id=ws.bot_id,
        )
        ws.record_message(message)
        return {"ok": True, "message_ts": message.ts}


def get_permalink(ws: Workspace, params: Params) -> JSON:
    """chat.getPermalink: a link to a message that exists."""
    with ws.lock:
        channel = ws.channel(text_param(params, "channel") or "")
        ts = text_param(params, "message_ts") or ""
        if ws.find_message(channel.id, ts) is None:
            raise ApiError("message_not_found")
        link = f"https://{ws.team_domain}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel.id, "permalink": link}


HANDLERS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
