"""Slack's shapes for view state values and block_actions actions, built from a stored view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from bot.standin.models import JSON

Resolve = Callable[[str], str]

_VALUE_TYPES = ("plain_text_input", "number_input", "email_text_input", "url_text_input")
_SINGLE = {
    "users_select": ("selected_user", "initial_user"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "channels_select": ("selected_channel", "initial_channel"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
_MULTI = {
    "multi_users_select": ("selected_users", "initial_users"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
}
_ONE_OPTION = ("static_select", "external_select", "radio_buttons", "overflow")
_MANY_OPTIONS = ("multi_static_select", "multi_external_select", "checkboxes")
STATEFUL = (*_VALUE_TYPES, *_SINGLE, *_MULTI, *_ONE_OPTION, *_MANY_OPTIONS, "rich_text_input")


class DriverError(AssertionError):
    """The driver cannot do what a test asked (unknown field, ambiguous label, no such button)."""


@dataclass
class Field:
    """An input (or stateful element) of a view: where its value goes and how it is labelled."""

    block_id: str
    action_id: str
    element: JSON
    label: str


def _label(block: JSON) -> str:
    label = block.get("label")
    return str(label.get("text", "")) if isinstance(label, dict) else ""


def fields_of(view: JSON) -> list[Field]:
    """Input blocks, plus stateful elements in section accessories and actions blocks."""
    found: list[Field] = []
    for block in view.get("blocks", []) or []:
        if not isinstance(block, dict):
            continue
        block_id = str(block.get("block_id", ""))
        candidates: list[Any] = []
        if block.get("type") == "input":
            candidates = [block.get("element")]
        elif block.get("type") == "section":
            candidates = [block.get("accessory")]
        elif block.get("type") == "actions":
            candidates = list(block.get("elements", []) or [])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") in STATEFUL:
                aid = str(element.get("action_id", ""))
                found.append(Field(block_id, aid, element, _label(block)))
    return found


def match_field(fields: list[Field], key: str) -> Field:
    """The field a test means: exact label, then block_id, then unique label substring."""
    wanted = key.strip().lower()
    for rule in (
        lambda f: f.label.strip().lower() == wanted,
        lambda f: f.block_id == key,
        lambda f: f.action_id == key,
        lambda f: wanted in f.label.lower(),
    ):
        hits = [f for f in fields if rule(f)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            labels = ", ".join(repr(f.label or f.block_id) for f in hits)
            raise DriverError(f"field {key!r} is ambiguous: it matches {labels}")
    known = ", ".join(repr(f.label or f.block_id) for f in fields) or "none"
    raise DriverError(f"no input matches {key!r}; the view has: {known}")


def _options(element: JSON) -> list[JSON]:
    options = [o for o in element.get("options", []) or [] if isinstance(o, dict)]
    for group in element.get("option_groups", []) or []:
        options += [o for o in group.get("options", []) or [] if isinstance(o, dict)]
    return options


def find_option(element: JSON, wanted: Any) -> JSON:
    """The option whose value, else whose text, equals `wanted` (case-insensitive for text)."""
    options = _options(element)
    for option in options:
        if option.get("value") == str(wanted):
            return option
    for option in options:
        text = option.get("text", {}).get("text", "")
        if isinstance(text, str) and text.strip().lower() == str(wanted).strip().lower():
            return option
    choices = [o.get("value") for o in options]
    raise DriverError(f"{element.get('action_id')!r} has no option {wanted!r}; options: {choices}")


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _scalar(kind: str, value: Any, resolve: Resolve) -> Any:
    if kind in ("users_select", "conversations_select", "channels_select"):
        return resolve(str(value))
    if kind == "datepicker":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "timepicker":
        return value.strftime("%H:%M") if isinstance(value, time) else str(value)
    if kind == "datetimepicker":
        return int(value)
    return value


def given_value(element: JSON, value: Any, resolve: Resolve) -> JSON:
    """State entry for an element the user filled with `value` (option value/text, @name, ...)."""
    kind = str(element.get("type"))
    if kind in _VALUE_TYPES:
        return {"type": kind, "value": None if value is None else str(value)}
    if kind in _SINGLE:
        key = _SINGLE[kind][0]
        return {"type": kind, key: None if value is None else _scalar(kind, value, resolve)}
    if kind in _MULTI:
        key = _MULTI[kind][0]
        return {"type": kind, key: [resolve(str(v)) for v in _as_list(value or [])]}
    if kind in _ONE_OPTION:
        return {"type": kind, "selected_option": find_option(element, value) if value else None}
    if kind in _MANY_OPTIONS:
        options = [find_option(element, v) for v in _as_list(value or [])]
        return {"type": kind, "selected_options": options}
    if kind == "rich_text_input":
        section = {"type": "rich_text_section", "elements": [{"type": "text", "text": str(value)}]}
        return {"type": kind, "rich_text_value": {"type": "rich_text", "elements": [section]}}
    raise DriverError(f"the driver cannot fill a {kind!r} element")


def untouched_value(element: JSON) -> JSON:
    """State entry Slack sends for an element the user left alone: its initial value, or empty."""
    kind = str(element.get("type"))
    if kind in _VALUE_TYPES:
        initial = element.get("initial_value")
        return {"type": kind, "value": None if initial is None else str(initial)}
    if kind in _SINGLE:
        selected, initial = _SINGLE[kind]
        return {"type": kind, selected: element.get(initial)}
    if kind in _MULTI:
        selected, initial = _MULTI[kind]
        return {"type": kind, selected: list(element.get(initial) or [])}
    if kind in _ONE_OPTION:
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in _MANY_OPTIONS:
        return {"type": kind, "selected_options": list(element.get("initial_options") or [])}
    initial = element.get("initial_value")
    empty = {"type": "rich_text", "elements": []}
    return {"type": kind, "rich_text_value": initial if isinstance(initial, dict) else empty}


def state_values(view: JSON, values: dict[str, Any], resolve: Resolve) -> JSON:
    """view.state.values for a submission: given fields by label/block_id, others untouched."""
    fields = fields_of(view)
    chosen = {id(match_field(fields, key)): value for key, value in values.items()}
    state: JSON = {}
    for field in fields:
        if id(field) in chosen:
            entry = given_value(field.element, chosen[id(field)], resolve)
        else:
            entry = untouched_value(field.element)
        state.setdefault(field.block_id, {})[field.action_id] = entry
    return state


def find_action(
    blocks: list[Any], action_id: str, block_id: str | None = None
) -> tuple[str, JSON] | None:
    """(block_id, element) of the interactive element with this action_id (in `block_id`)."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None


def action_of(block_id: str, element: JSON, value: Any, resolve: Resolve, action_ts: str) -> JSON:
    """One entry of block_actions' `actions` for using `element` (with `value` for inputs)."""
    kind = str(element.get("type"))
    action: JSON = {"action_id": element.get("action_id"), "block_id": block_id, "type": kind}
    if kind == "button":
        action["text"] = element.get("text")
        for key in ("value", "style", "url"):
            if key in element:
                action[key] = element[key]
    else:
        entry = given_value(element, value, resolve) if value is not None else None
        action.update(entry or untouched_value(element))
        action["type"] = kind
        for key in ("placeholder", *(v[1] for v in (*_SINGLE.values(), *_MULTI.values()))):
            if key in element:
                action[key] = element[key]
        if "initial_option" in element:
            action["initial_option"] = element["initial_option"]
    action["action_ts"] = action_ts
    return action


def action_label(element: JSON, action: JSON) -> str:
    """What a person would call what they clicked or chose."""
    option = action.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("text", {}).get("text", option.get("value", "")))
    text = element.get("text") or element.get("placeholder")
    if isinstance(text, dict):
        return str(text.get("text", ""))
    return str(element.get("action_id", ""))
