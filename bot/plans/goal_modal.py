"""The small modal behind the Home's "Add a goal" button and the "Add as a goal" message
shortcut, and what the shortcut shows when it cannot help."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.payload import metadata_of
from bot.core.text import OPTION_TEXT, SECTION_TEXT, around, clip
from bot.domain.plan import MAX_TEXT

GOAL_CALLBACK = "goal_add"
ACTION = "value"
GOAL_BLOCK, OWNER_BLOCK, PAIR_BLOCK = "goal", "owner", "pair"
NOTE_BLOCK, SAID_BLOCK = "goal_note", "said"
FROM_MESSAGE = "message"  # private_metadata "from": the message shortcut, which confirms in place
TITLE = "Add a goal"
MINE, THEIRS = "mine", "theirs"  # whose goal, when the pair is chosen in the same form


def _goal_input(initial: str | None) -> InputBlock:
    return InputBlock(
        block_id=GOAL_BLOCK,
        label="Goal",
        element=PlainTextInputElement(
            action_id=ACTION,
            max_length=MAX_TEXT,
            multiline=bool(initial and len(initial) > 80),
            initial_value=initial or None,
            placeholder="Run a retrospective for the team",
        ),
    )


def build_goal_modal(
    pair_id: int,
    names: Mapping[str, str],
    default_owner: str,
    *,
    initial: str | None = None,
    note: str | None = None,
) -> View:
    """Ask for one goal and whose it is; `names` maps "mentee"/"mentor" to people's names.
    From a message, `initial` is its text and the metadata says so (`FROM_MESSAGE`)."""
    options = [
        Option(value=role, label=around("", names[role], "'s goal", OPTION_TEXT))
        for role in ("mentee", "mentor")
    ]
    chosen = next((o for o in options if o.value == default_owner), options[0])
    metadata: dict[str, Any] = {"pair_id": pair_id}
    if initial is not None:
        metadata["from"] = FROM_MESSAGE
    return _modal(metadata, _goal_input(initial), options, chosen, note)


def build_goal_modal_choosing(
    pairs: Sequence[tuple[int, str]], initial: str, note: str | None = None
) -> View:
    """From a message, for someone in several mentorships: which one, the goal, and whose."""
    select = StaticSelectElement(
        action_id=ACTION,
        placeholder="Choose a mentorship",
        options=[Option(value=str(pid), label=clip(label, OPTION_TEXT)) for pid, label in pairs],
    )
    options = [Option(value=MINE, label="My goal"), Option(value=THEIRS, label="My partner's goal")]
    pick = InputBlock(block_id=PAIR_BLOCK, label="Mentorship", element=select)
    return _modal(
        {"from": FROM_MESSAGE}, _goal_input(initial), options, options[0], note, first=pick
    )


def _modal(
    metadata: dict[str, Any],
    goal: InputBlock,
    options: list[Option],
    chosen: Option,
    note: str | None,
    first: Block | None = None,
) -> View:
    blocks: list[Block] = [first] if first is not None else []
    blocks.append(goal)
    if note:
        blocks.append(ContextBlock(block_id=NOTE_BLOCK, elements=[MarkdownTextObject(text=note)]))
    owner = RadioButtonsElement(action_id=ACTION, options=options, initial_option=chosen)
    blocks.append(InputBlock(block_id=OWNER_BLOCK, label="Whose goal is it?", element=owner))
    return View(
        type="modal",
        callback_id=GOAL_CALLBACK,
        title=TITLE,
        submit="Add",
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    )


def parse_goal_modal(view: Mapping[str, Any]) -> tuple[Any, str, str]:
    """(pair id as sent, goal text, owner) from a submitted goal modal; the owner is "mentee"
    or "mentor", or `MINE`/`THEIRS` when the pair was chosen in the form."""
    values = (view.get("state") or {}).get("values") or {}
    picked = ((values.get(PAIR_BLOCK) or {}).get(ACTION) or {}).get("selected_option") or {}
    pair_id = picked.get("value") if PAIR_BLOCK in values else metadata_of(view).get("pair_id")
    text = ((values.get(GOAL_BLOCK) or {}).get(ACTION) or {}).get("value") or ""
    option = ((values.get(OWNER_BLOCK) or {}).get(ACTION) or {}).get("selected_option") or {}
    owner = str(option.get("value"))
    known = ("mentee", "mentor", MINE, THEIRS)
    return pair_id, " ".join(str(text).split()), owner if owner in known else "mentee"


def info_modal(text: str) -> View:
    """A small modal that only says something (the shortcut could not help, or it is done)."""
    return View(
        type="modal",
        title=TITLE,
        close="OK",
        blocks=[
            SectionBlock(
                block_id=SAID_BLOCK, text=MarkdownTextObject(text=clip(text, SECTION_TEXT))
            )
        ],
    )


def goal_added_answer(view: Mapping[str, Any], said: str) -> dict[str, Any]:
    """How to answer a stored goal: close the modal (the Home tab shows the goal), or, when it
    came from a message, say in the modal what was added and where."""
    if metadata_of(view).get("from") != FROM_MESSAGE:
        return {}
    return {"response_action": "update", "view": info_modal(said)}
