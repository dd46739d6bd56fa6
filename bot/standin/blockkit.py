"""Block Kit limits that Slack enforces on messages and views, as error messages like Slack's."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

JSONObject = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_VIEW_BYTES = 250_000
MAX_VIEW_TEXT = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 3000  # a text element of a context block
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_LABEL = 2000
MAX_BUTTON_TEXT = 75
MAX_ACCESSIBILITY_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_PLACEHOLDER = 150
MAX_OPTION_DESCRIPTION = 75
MAX_OPTION_GROUPS = 100
MAX_OPTION_GROUP_LABEL = 75
MAX_OVERFLOW_OPTIONS = 5
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio_buttons
MAX_URL = 3000
MAX_CONFIRM_TITLE = 100
MAX_CONFIRM_TEXT = 300
MAX_CONFIRM_BUTTON = 30
# plain_text_input: bounds of min_length / max_length, and of its value when it has no max_length
MAX_INPUT_LENGTH = 3000
MAX_ALT_TEXT = 2000
MAX_IMAGE_TITLE = 2000
OPTION_LIMITS = {
    "overflow": MAX_OVERFLOW_OPTIONS,
    "checkboxes": MAX_CHOICE_OPTIONS,
    "radio_buttons": MAX_CHOICE_OPTIONS,
}


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


def _too_long(value: Any, limit: int, pointer: str) -> list[str]:
    """An error when a string is over `limit` characters."""
    if isinstance(value, str) and len(value) > limit:
        return [_err(f"must be less than {limit + 1} characters", pointer)]
    return []


def _check_options(options: Any, pointer: str, limit: int = MAX_OPTIONS) -> list[str]:
    if not isinstance(options, list):
        return []
    errors: list[str] = []
    if len(options) > limit:
        errors.append(_err(f"no more than {limit} items allowed", pointer))
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            errors.append(_err("must provide an object", f"{pointer}/{i}"))
            continue
        errors += _check_text(option.get("text"), MAX_OPTION_TEXT, f"{pointer}/{i}/text")
        errors += _too_long(option.get("value"), MAX_OPTION_VALUE, f"{pointer}/{i}/value")
        if "description" in option:
            description = option["description"]
            where = f"{pointer}/{i}/description"
            errors += _check_text(description, MAX_OPTION_DESCRIPTION, where)
        errors += _too_long(option.get("url"), MAX_URL, f"{pointer}/{i}/url")
    return errors


def _check_option_groups(groups: Any, pointer: str) -> list[str]:
    if not isinstance(groups, list):
        return []
    errors: list[str] = []
    if len(groups) > MAX_OPTION_GROUPS:
        errors.append(_err(f"no more than {MAX_OPTION_GROUPS} items allowed", pointer))
    for i, group in enumerate(groups):
        if not isinstance(group, dict):
            errors.append(_err("must provide an object", f"{pointer}/{i}"))
            continue
        label = group.get("label")
        errors += _check_text(
            label, MAX_OPTION_GROUP_LABEL, f"{pointer}/{i}/label", plain_only=True
        )
        errors += _check_options(group.get("options"), f"{pointer}/{i}/options")
    return errors


def _check_confirm(confirm: Any, pointer: str) -> list[str]:
    """A confirmation dialog: title 100, text 300, confirm and deny buttons 30 characters."""
    if not isinstance(confirm, dict):
        return [_err("must provide an object", pointer)]
    errors: list[str] = []
    for key, limit, required in (
        ("title", MAX_CONFIRM_TITLE, False),
        ("text", MAX_CONFIRM_TEXT, True),
        ("confirm", MAX_CONFIRM_BUTTON, False),
        ("deny", MAX_CONFIRM_BUTTON, False),
    ):
        if required or key in confirm:
            plain_only = key != "text"
            errors += _check_text(
                confirm.get(key), limit, f"{pointer}/{key}", plain_only=plain_only
            )
    return errors


def _check_text_input(element: JSONObject, pointer: str) -> list[str]:
    """plain_text_input: lengths within 0..3000, and an initial value no longer than max_length."""
    errors: list[str] = []
    bounds: dict[str, int] = {}
    for key in ("min_length", "max_length"):
        value = element.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(_err("must be an integer", f"{pointer}/{key}"))
        elif not 0 <= value <= MAX_INPUT_LENGTH:
            errors.append(_err(f"must be between 0 and {MAX_INPUT_LENGTH}", f"{pointer}/{key}"))
        else:
            bounds[key] = value
    low, high = bounds.get("min_length"), bounds.get("max_length")
    if low is not None and high is not None and low > high:
        errors.append(_err("must be less than or equal to max_length", f"{pointer}/min_length"))
    limit = MAX_INPUT_LENGTH if high is None else high
    errors += _too_long(element.get("initial_value"), limit, f"{pointer}/initial_value")
    return errors


def _check_element(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [_err("must provide an object with a type", pointer)]
    errors: list[str] = []
    errors += _too_long(element.get("action_id"), MAX_ID, f"{pointer}/action_id")
    kind = element["type"]
    if kind == "button":
        errors += _check_text(element.get("text"), MAX_BUTTON_TEXT, f"{pointer}/text")
        errors += _too_long(element.get("value"), MAX_BUTTON_VALUE, f"{pointer}/value")
        errors += _too_long(element.get("url"), MAX_URL, f"{pointer}/url")
        label = element.get("accessibility_label")
        errors += _too_long(label, MAX_ACCESSIBILITY_LABEL, f"{pointer}/accessibility_label")
    elif kind == "plain_text_input":
        errors += _check_text_input(element, pointer)
    elif kind == "image":
        errors += _too_long(element.get("alt_text"), MAX_ALT_TEXT, f"{pointer}/alt_text")
        errors += _too_long(element.get("image_url"), MAX_URL, f"{pointer}/image_url")
    if "placeholder" in element:
        errors += _check_text(element["placeholder"], MAX_PLACEHOLDER, f"{pointer}/placeholder")
    if "confirm" in element:
        errors += _check_confirm(element["confirm"], f"{pointer}/confirm")
    limit = OPTION_LIMITS.get(kind, MAX_OPTIONS)
    errors += _check_options(element.get("options"), f"{pointer}/options", limit)
    errors += _check_option_groups(element.get("option_groups"), f"{pointer}/option_groups")
    return errors


def _check_block(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [_err("must provide an object with a type", pointer)]
    errors: list[str] = []
    errors += _too_long(block.get("block_id"), MAX_ID, f"{pointer}/block_id")
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
        else:
            for i, element in enumerate(elements):
                where = f"{pointer}/elements/{i}"
                if isinstance(element, dict) and element.get("type") == "image":
                    errors += _check_element(element, where)
                elif isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                    errors += _check_text(element, MAX_CONTEXT_TEXT, where)
    elif kind == "image":
        errors += _too_long(block.get("alt_text"), MAX_ALT_TEXT, f"{pointer}/alt_text")
        errors += _too_long(block.get("image_url"), MAX_URL, f"{pointer}/image_url")
        if "title" in block:
            errors += _check_text(block["title"], MAX_IMAGE_TITLE, f"{pointer}/title")
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
        errors += _too_long(view.get(key), limit, f"/view/{key}")
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
