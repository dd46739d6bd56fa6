"""Block Kit limits that Slack enforces on messages and views, as error messages like Slack's."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_VIEW_BYTES = 250_000
MAX_VIEW_TEXT = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_LABEL = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_PLACEHOLDER = 150


def _err(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return None


def _check_text(obj: Any, limit: int, pointer: str, *, plain_only: bool = False) -> list[str]:
    """Errors for a text object: must be a text object, non-empty, within `limit` characters."""
    text = _text_of(obj)
    if text is None:
        return [_err("must provide an object", pointer)]
    if plain_only and obj.get("type") != "plain_text":
        return [_err('must be a "plain_text" text object', f"{pointer}/type")]
    if not text:
        return [_err("must be more than 0 characters", f"{pointer}/text")]
    if len(text) > limit:
        return [_err(f"must be less than {limit + 1} characters", f"{pointer}/text")]
    return []


def _check_options(options: Any, pointer: str) -> list[str]:
    if not isinstance(options, list):
        return []
    errors: list[str] = []
    if len(options) > MAX_OPTIONS:
        errors.append(_err(f"no more than {MAX_OPTIONS} items allowed", pointer))
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            errors.append(_err("must provide an object", f"{pointer}/{i}"))
            continue
        errors += _check_text(option.get("text"), MAX_OPTION_TEXT, f"{pointer}/{i}/text")
        value = option.get("value")
        if isinstance(value, str) and len(value) > MAX_OPTION_VALUE:
            errors.append(_err(f"must be less than {MAX_OPTION_VALUE + 1} characters", pointer))
    return errors


def _check_element(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [_err("must provide an object with a type", pointer)]
    errors: list[str] = []
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > MAX_ID:
        errors.append(_err(f"must be less than {MAX_ID + 1} characters", f"{pointer}/action_id"))
    kind = element["type"]
    if kind == "button":
        errors += _check_text(element.get("text"), MAX_BUTTON_TEXT, f"{pointer}/text")
        value = element.get("value")
        if isinstance(value, str) and len(value) > MAX_BUTTON_VALUE:
            errors.append(_err(f"must be less than {MAX_BUTTON_VALUE + 1} characters", pointer))
    if "placeholder" in element:
        errors += _check_text(element["placeholder"], MAX_PLACEHOLDER, f"{pointer}/placeholder")
    errors += _check_options(element.get("options"), f"{pointer}/options")
    return errors


def _check_block(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [_err("must provide an object with a type", pointer)]
    errors: list[str] = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > MAX_ID:
        errors.append(_err(f"must be less than {MAX_ID + 1} characters", f"{pointer}/block_id"))
    kind = block["type"]
    if kind == "section":
        if "text" in block or "fields" not in block:
            errors += _check_text(block.get("text"), MAX_SECTION_TEXT, f"{pointer}/text")
        fields = block.get("fields", [])
        if isinstance(fields, list):
            if len(fields) > MAX_FIELDS:
                errors.append(_err(f"no more than {MAX_FIELDS} items allowed", f"{pointer}/fields"))
            for i, field in enumerate(fields):
                errors += _check_text(field, MAX_FIELD_TEXT, f"{pointer}/fields/{i}")
        if "accessory" in block:
            errors += _check_element(block["accessory"], f"{pointer}/accessory")
    elif kind == "header":
        errors += _check_text(
            block.get("text"), MAX_HEADER_TEXT, f"{pointer}/text", plain_only=True
        )
    elif kind == "input":
        errors += _check_text(block.get("label"), MAX_LABEL, f"{pointer}/label", plain_only=True)
        if "hint" in block:
            errors += _check_text(block["hint"], MAX_LABEL, f"{pointer}/hint", plain_only=True)
        errors += _check_element(block.get("element"), f"{pointer}/element")
    elif kind in ("actions", "context"):
        elements = block.get("elements")
        limit = MAX_ACTIONS_ELEMENTS if kind == "actions" else MAX_CONTEXT_ELEMENTS
        if not isinstance(elements, list) or not elements:
            errors.append(_err("must provide at least 1 item", f"{pointer}/elements"))
        elif len(elements) > limit:
            errors.append(_err(f"no more than {limit} items allowed", f"{pointer}/elements"))
        elif kind == "actions":
            for i, element in enumerate(elements):
                errors += _check_element(element, f"{pointer}/elements/{i}")
    return errors


def _sdk_errors(blocks: list[Any], pointer: str) -> list[str]:
    errors: list[str] = []
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is not None:
                block.validate_json()
        except SlackObjectFormationError as exc:
            errors.append(_err(str(exc), f"{pointer}/{i}"))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(_err(f"invalid block ({exc})", f"{pointer}/{i}"))
    return errors


def blocks_errors(blocks: Any, pointer: str, max_blocks: int) -> list[str]:
    """Slack-style error messages for a list of blocks; empty when the blocks are acceptable."""
    if not isinstance(blocks, list):
        return [_err("must provide an array", pointer)]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(_err(f"no more than {max_blocks} items allowed", pointer))
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        errors += _check_block(block, f"{pointer}/{i}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in seen:
                errors.append(_err("duplicate block_id", f"{pointer}/{i}/block_id"))
            seen.add(block_id)
    if not errors:
        errors = _sdk_errors(blocks, pointer)
    return errors


def message_errors(text: Any, blocks: Any) -> tuple[str, list[str]] | None:
    """(error code, messages) for a message's text and blocks, or None when Slack would accept it."""
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        return "msg_too_long", []
    if blocks is None:
        return None
    errors = blocks_errors(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    return ("invalid_blocks", errors) if errors else None


def view_errors(view: Any) -> list[str]:
    """Slack-style error messages for a modal or home view; empty when Slack would accept it."""
    if not isinstance(view, dict):
        return [_err("must provide an object", "/view")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [_err('must be one of "modal", "home"', "/view/type")]
    errors: list[str] = []
    if kind == "modal":
        errors += _check_text(view.get("title"), MAX_VIEW_TEXT, "/view/title", plain_only=True)
    for key in ("submit", "close"):
        if view.get(key) is not None:
            if kind == "home":
                errors.append(_err("must not be provided for a home view", f"/view/{key}"))
            else:
                errors += _check_text(view[key], MAX_VIEW_TEXT, f"/view/{key}", plain_only=True)
    for key, limit in (
        ("private_metadata", MAX_PRIVATE_METADATA),
        ("callback_id", MAX_ID),
        ("external_id", MAX_ID),
    ):
        value = view.get(key)
        if isinstance(value, str) and len(value) > limit:
            errors.append(_err(f"must be less than {limit + 1} characters", f"/view/{key}"))
    blocks = view.get("blocks")
    errors += blocks_errors(blocks, "/view/blocks", MAX_VIEW_BLOCKS)
    has_input = isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "input" for b in blocks
    )
    if kind == "modal" and has_input and view.get("submit") is None:
        errors.append(_err("submit is required when an input block is present", "/view/submit"))
    if not errors:
        try:
            View(**view).validate_json()
        except SlackObjectFormationError as exc:
            errors.append(_err(str(exc), "/view"))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(_err(f"invalid view ({exc})", "/view"))
    return errors


def view_too_large(view: Any) -> bool:
    """True when the view's JSON is over Slack's 250 KB limit."""
    return len(json.dumps(view).encode()) > MAX_VIEW_BYTES
