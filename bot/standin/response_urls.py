"""What a POST to a response_url does: ephemeral/in-channel replies, replacing or deleting."""

from __future__ import annotations

from typing import Any

from bot.standin.api_common import normalize_blocks
from bot.standin.blockkit import message_errors
from bot.standin.models import JSON, RecordedMessage
from bot.standin.state import Workspace


def _original(ws: Workspace, channel_id: str, ts: str | None) -> RecordedMessage | None:
    if ts is None:
        return None
    for message in reversed(ws.messages):
        if message.channel == channel_id and message.ts == ts and not message.deleted:
            return message
    return None


def post_to_response_url(ws: Workspace, url_id: str, body: Any) -> tuple[int, JSON]:
    """Apply a response_url POST; answer (HTTP status, JSON body) like Slack."""
    with ws.lock:
        hook = ws.response_urls.get(url_id)
        if hook is None or hook.uses_left <= 0:
            return 404, {"ok": False, "error": "expired_url"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "invalid_payload"}
        hook.uses_left -= 1
        text = str(body.get("text") or "")
        blocks = body.get("blocks")
        problem = message_errors(text, blocks)
        if problem is not None:
            return 400, {"ok": False, "error": problem[0]}
        blocks = normalize_blocks(blocks if isinstance(blocks, list) else [])
        original = _original(ws, hook.channel_id, hook.message_ts)
        if body.get("delete_original") and original is not None:
            original.deleted = True
            ws.note(f"{ws.where(original)} (deleted): {ws.render(original)}")
            return 200, {"ok": True}
        if body.get("replace_original") and original is not None:
            ws.edit_message(original, text, blocks)
            ws.note(f"{ws.where(original)} (replaced): {ws.render(original)}")
            return 200, {"ok": True}
        if not text and not blocks:
            return 400, {"ok": False, "error": "no_text"}
        in_channel = body.get("response_type") == "in_channel"
        thread_ts = body.get("thread_ts")
        message = RecordedMessage(
            channel=hook.channel_id,
            user=ws.bot_user_id,
            text=text,
            blocks=blocks,
            ts=ws.next_ts(),
            thread_ts=str(thread_ts) if thread_ts else None,
            ephemeral_to=None if in_channel else hook.user_id,
            bot_id=ws.bot_id,
            source="response_url",
        )
        ws.record_message(message)
        return 200, {"ok": True}
