"""A message checked against Slack's limits before it is sent, so one that Slack would refuse
(or that slack_sdk would refuse to serialise) is caught while nothing has been posted.

The builders keep within these limits (tests/core/test_builders_fit.py); this is the backstop the
outbox runs on every message before it marks a row `sending`. The limits are named once, in
bot/core/text.py; the stand-in's own checker (bot/standin/blockkit.py) agrees with this one on
every limit named there (tests/core/test_blocks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.core import text as limits

JSON = dict[str, Any]
MAX_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_OPTIONS = 100


class Checked(dict[str, Any]):
    """A block as slack_sdk serialised it, validating it and every object in it on the way
    (`checked`): `checked_message` takes it as it is, in as many messages as share it."""


def checked(blocks: Sequence[Block]) -> list[Checked]:
    """Blocks serialised (and so validated) once, for messages that share them; Unbuildable
    when slack_sdk refuses one. Each message is still checked whole against Slack's limits."""
    return [Checked(block) for block in serialise(blocks)]


class Unbuildable(Exception):
    """A message Slack would refuse: what is wrong with it, one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _text_problems(obj: Any, limit: int, where: str, *, plain: bool = False) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"{where}: not a text object"]
    if plain and obj.get("type") != "plain_text":
        return [f"{where}: must be plain_text"]
    size = len(obj["text"])
    if size == 0:
        return [f"{where}: empty text"]
    if size > limit:
        return [f"{where}: {size:,} characters, at most {limit:,}"]
    return []


def _long(value: Any, limit: int, where: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{where}: {len(value):,} characters, at most {limit:,}"]
    return []


def _confirm_problems(confirm: Any, where: str) -> list[str]:
    if not isinstance(confirm, dict):
        return [f"{where}: not an object"]
    problems = _text_problems(confirm.get("text"), limits.CONFIRM_TEXT, f"{where}/text")
    for key, limit in (
        ("title", limits.CONFIRM_TITLE),
        ("confirm", limits.CONFIRM_BUTTON),
        ("deny", limits.CONFIRM_BUTTON),
    ):
        if key in confirm:
            problems += _text_problems(confirm[key], limit, f"{where}/{key}", plain=True)
    return problems


def _options_problems(options: Any, where: str) -> list[str]:
    if not isinstance(options, list):
        return []
    problems = []
    if len(options) > MAX_OPTIONS:
        problems.append(f"{where}: {len(options)} options, at most {MAX_OPTIONS}")
    for i, option in enumerate(options):
        text = option.get("text") if isinstance(option, dict) else None
        problems += _text_problems(text, limits.OPTION_TEXT, f"{where}/{i}/text")
        value = option.get("value") if isinstance(option, dict) else None
        problems += _long(value, limits.OPTION_VALUE, f"{where}/{i}/value")
    return problems


def _element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where}: not an object"]
    problems = _long(element.get("action_id"), MAX_ID, f"{where}/action_id")
    if element.get("type") == "button":
        problems += _text_problems(element.get("text"), limits.BUTTON_TEXT, f"{where}/text")
        problems += _long(element.get("value"), MAX_BUTTON_VALUE, f"{where}/value")
        label = element.get("accessibility_label")
        problems += _long(label, limits.ACCESSIBILITY_LABEL, f"{where}/accessibility_label")
    if "placeholder" in element:
        problems += _text_problems(
            element["placeholder"], limits.PLACEHOLDER, f"{where}/placeholder"
        )
    if "confirm" in element:
        problems += _confirm_problems(element["confirm"], f"{where}/confirm")
    return problems + _options_problems(element.get("options"), f"{where}/options")


def _elements_problems(block: JSON, where: str, limit: int) -> list[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        return [f"{where}/elements: at least one element"]
    problems = []
    if len(elements) > limit:
        problems.append(f"{where}/elements: {len(elements)} elements, at most {limit}")
    for i, element in enumerate(elements):
        if block["type"] == "actions":
            problems += _element_problems(element, f"{where}/elements/{i}")
        elif isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
            problems += _text_problems(element, limits.CONTEXT_TEXT, f"{where}/elements/{i}")
    return problems


def _block_problems(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"{where}: not a block"]
    problems = _long(block.get("block_id"), MAX_ID, f"{where}/block_id")
    kind = block["type"]
    if kind == "section":
        if "text" in block or "fields" not in block:
            problems += _text_problems(block.get("text"), limits.SECTION_TEXT, f"{where}/text")
        fields = block.get("fields") or []
        if len(fields) > limits.SECTION_FIELDS:
            problems.append(f"{where}/fields: {len(fields)} fields, at most 10")
        for i, field in enumerate(fields):
            problems += _text_problems(field, limits.SECTION_FIELD, f"{where}/fields/{i}")
        if "accessory" in block:
            problems += _element_problems(block["accessory"], f"{where}/accessory")
    elif kind == "header":
        problems += _text_problems(
            block.get("text"), limits.HEADER_TEXT, f"{where}/text", plain=True
        )
    elif kind == "actions":
        problems += _elements_problems(block, where, limits.ACTIONS_ELEMENTS)
    elif kind == "context":
        problems += _elements_problems(block, where, limits.CONTEXT_ELEMENTS)
    return problems


def message_problems(text: Any, blocks: Sequence[Any]) -> list[str]:
    """What Slack would refuse in a message's text and (serialised) blocks; [] when none."""
    problems: list[str] = []
    if not isinstance(text, str) or not (text.strip() or blocks):
        problems.append("text: a message needs text")
    else:
        problems += _long(text, limits.MESSAGE_TEXT, "text")
    if len(blocks) > limits.MESSAGE_BLOCKS:
        problems.append(f"blocks: {len(blocks)} blocks, at most {limits.MESSAGE_BLOCKS}")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        problems += _block_problems(block, f"blocks/{i}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if isinstance(block_id, str):
            if block_id in seen:
                problems.append(f"blocks/{i}/block_id: {block_id!r} twice")
            seen.add(block_id)
    return problems


def serialise(blocks: Sequence[Block | JSON]) -> list[JSON]:
    """Blocks as the JSON Slack gets: slack_sdk objects serialised (and validated by slack_sdk on
    the way, as `chat_postMessage` would, but before anything is sent), Unbuildable when it
    refuses; plain dicts as they are."""
    out: list[JSON] = []
    for i, block in enumerate(blocks):
        if not isinstance(block, Block):
            out.append(block)
            continue
        try:
            out.append(block.to_dict())
        except SlackObjectFormationError as exc:
            raise Unbuildable([f"blocks/{i}: {exc}"]) from exc
    return out


def _sdk_problems(blocks: Sequence[JSON], given: Sequence[Block | JSON]) -> list[str]:
    """What slack_sdk's own validation finds in blocks given as JSON. A block given as a
    slack_sdk object, or as what it serialised (`Checked`), was validated by `to_dict` already
    (every nested object on the way), so it is not parsed and validated a second time."""
    problems: list[str] = []
    for i, (block, original) in enumerate(zip(blocks, given, strict=True)):
        if isinstance(original, Block | Checked):
            continue
        try:
            parsed = Block.parse(block)
            if parsed is not None:
                parsed.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(f"blocks/{i}: {exc}")
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            problems.append(f"blocks/{i}: not a valid block ({type(exc).__name__})")
    return problems


def checked_message(text: str, blocks: Sequence[Block | JSON]) -> list[JSON]:
    """The message's blocks serialised and checked against Slack's limits, or Unbuildable."""
    out = serialise(blocks)
    problems = message_problems(text, out) or _sdk_problems(out, blocks)
    if problems:
        raise Unbuildable(problems)
    return out
