"""Argument parsing shared by the stand-in's Web API methods."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from bot.standin.blockkit import message_errors
from bot.standin.models import JSON, ApiError, Channel
from bot.standin.state import Workspace

Params = dict[str, Any]
Handler = Callable[[Workspace, Params], JSON]


def text_param(params: Params, key: str) -> str | None:
    """A string argument, or None when absent or empty."""
    value = params.get(key)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def bool_param(params: Params, key: str) -> bool:
    """A boolean argument as WebClient sends it (true/false, 1/0)."""
    value = params.get(key)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def int_param(params: Params, key: str, default: int) -> int:
    """An integer argument, or invalid_arguments."""
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments") from exc


def json_param(params: Params, key: str, error: str) -> Any:
    """A nested argument that may arrive as a JSON string (form) or as JSON (JSON body)."""
    value = params.get(key)
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(error) from exc
    return value


def _with_ids(element: Any) -> Any:
    if isinstance(element, dict) and "type" in element:
        stateful = element["type"] not in ("plain_text", "mrkdwn", "image")
        if stateful and "action_id" not in element:
            return {**element, "action_id": secrets.token_urlsafe(4)}
    return element


def normalize_blocks(blocks: list[Any]) -> list[Any]:
    """Copies of the blocks with the block_id / action_id Slack fills in when missing."""
    result: list[Any] = []
    for block in blocks:
        if not isinstance(block, dict):
            result.append(block)
            continue
        block = dict(block)
        block.setdefault("block_id", secrets.token_urlsafe(4))
        if isinstance(block.get("element"), dict):
            block["element"] = _with_ids(block["element"])
        if isinstance(block.get("accessory"), dict):
            block["accessory"] = _with_ids(block["accessory"])
        if block.get("type") == "actions" and isinstance(block.get("elements"), list):
            block["elements"] = [_with_ids(e) for e in block["elements"]]
        result.append(block)
    return result


def message_content(params: Params, *, require_content: bool = True) -> tuple[str, list[Any]]:
    """(text, blocks) of a message argument set, checked against Slack's limits."""
    text = params.get("text")
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    blocks = json_param(params, "blocks", "invalid_blocks_format")
    attachments = json_param(params, "attachments", "invalid_attachments")
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    if require_content and not text and not blocks and not attachments:
        raise ApiError("no_text")
    problem = message_errors(text, blocks)
    if problem is not None:
        raise ApiError(problem[0], problem[1])
    return text, normalize_blocks(blocks or [])


def postable_channel(ws: Workspace, target: str | None) -> Channel:
    """The conversation a message to `target` lands in, or the error Slack answers."""
    if not target:
        raise ApiError("channel_not_found")
    with ws.lock:
        if target[0] in "UW":
            user = ws.users.get(target)
            if user is None or user.deleted or user.id == ws.bot_user_id:
                raise ApiError("channel_not_found")
            return ws.ensure_im(user.id)
        channel = ws.channel(target)
        if channel.is_archived:
            raise ApiError("is_archived")
        if channel.im_user is not None and ws.users[channel.im_user].deleted:
            raise ApiError("channel_not_found")
        if ws.bot_user_id not in channel.members:
            hidden = channel.is_private or channel.is_im or channel.is_mpim
            raise ApiError("channel_not_found" if hidden else "not_in_channel")
        return channel


def page(items: list[Any], params: Params) -> tuple[list[Any], str]:
    """One page of `items` per limit/cursor, and the next cursor ("" at the end)."""
    limit = int_param(params, "limit", 0) or len(items) or 1
    cursor = text_param(params, "cursor")
    start = 0
    if cursor is not None:
        if not cursor.startswith("offset:") or not cursor[7:].isdigit():
            raise ApiError("invalid_cursor")
        start = int(cursor[7:])
    end = start + limit
    return items[start:end], (f"offset:{end}" if end < len(items) else "")
