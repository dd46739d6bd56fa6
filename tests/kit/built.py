"""What a builder made (a message or a view), the stand-in's verdict on it, and ways to walk it:
every mrkdwn text, every button, and any markup that people's text smuggled in."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.core.text import MESSAGE_BLOCKS, split_within
from bot.standin.blockkit import message_errors, view_errors, view_too_large

JSON = dict[str, Any]


@dataclass(frozen=True)
class Built:
    """What a builder made: a message (`text`, `blocks`) or a view (`view`)."""

    text: str | None = None
    blocks: list[JSON] | None = None
    view: JSON | None = None

    @property
    def all_blocks(self) -> list[JSON]:
        return list(self.view["blocks"] if self.view is not None else self.blocks or [])

    def stand_in_errors(self) -> list[str]:
        """What the stand-in (playing Slack) refuses in it; [] when Slack would accept it."""
        if self.view is not None:
            too_large = ["view_too_large"] if view_too_large(self.view) else []
            return too_large + view_errors(self.view)
        found = message_errors(self.text, self.blocks)
        return [] if found is None else [found[0], *found[1]]


def message(text: str, blocks: Sequence[Block | JSON]) -> Built:
    return Built(text=text, blocks=[b.to_dict() if isinstance(b, Block) else b for b in blocks])


def section_message(text: str) -> Built:
    """A text the bot posts as it is (a notice, an announcement), as its renderer posts it."""
    pieces = split_within(text, MESSAGE_BLOCKS)
    return Built(text, [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces])


def view(built: View | JSON) -> Built:
    return Built(view=built.to_dict() if isinstance(built, View) else built)


# -- walking what was built -----------------------------------------------------------------


def _elements(block: JSON) -> Iterator[JSON]:
    for element in [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]:
        if isinstance(element, dict):
            yield element


def buttons(built: Built) -> list[JSON]:
    return [e for b in built.all_blocks for e in _elements(b) if e.get("type") == "button"]


def mrkdwn_texts(built: Built) -> list[str]:
    """Every text Slack reads as mrkdwn: the message's `text`, mrkdwn sections, fields, context
    elements and confirmation dialogs."""
    found = [built.text] if built.text is not None else []

    def take(obj: Any) -> None:
        if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
            found.append(str(obj.get("text", "")))

    for block in built.all_blocks:
        take(block.get("text"))
        for field in block.get("fields") or []:
            take(field)
        for element in _elements(block):
            take(element)
            take((element.get("confirm") or {}).get("text"))
    return found


# The bot's own tokens: dates, channels and people by id. Nothing else may be a `<…>`.
BOT_TOKEN = re.compile(r"<(?:!date\^\d+\^[^|<>]*\|[^<>]*|#[CG][A-Z0-9]+|@U[A-Z0-9]+)>")
BARE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def markup_leaks(text: str) -> list[str]:
    """What in a mrkdwn text would be read as markup although the bot did not write it."""
    rest = BOT_TOKEN.sub("", text)
    leaks = [m for m in ("<", ">") if m in rest]
    return leaks + (["&"] if BARE_AMP.search(rest) else [])
