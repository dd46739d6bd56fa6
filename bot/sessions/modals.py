"""The sessions modals: one topic for the agenda, a session's notes (about a minute), and the
session history. Pure builders and parsers with module-constant ids; a submitted view comes from
Slack's client, so everything read back is checked again by the caller."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.payload import metadata_of
from bot.core.text import INPUT_MAX, SECTION_TEXT, VIEW_BLOCKS, clip, mrkdwn, split
from bot.domain.agenda import MAX_ITEM_TEXT, MAX_ITEMS, MAX_NOTE, OWNERS, ItemDraft, NotesForm

AGENDA_CALLBACK, NOTES_CALLBACK = "agenda_submit", "notes_submit"
ACTION = "value"
TOPIC = "topic"
SHARED, PRIVATE = "shared", "private"


def _values(view: Mapping[str, Any]) -> Mapping[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def _field(view: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    entry = (_values(view).get(block_id) or {}).get(ACTION)
    return entry if isinstance(entry, Mapping) else {}


def agenda_modal(pair_id: int, partner_name: str) -> View:
    """Add one topic for the next session."""
    return View(
        type="modal",
        callback_id=AGENDA_CALLBACK,
        title="Add to agenda",
        submit="Add",
        close="Cancel",
        private_metadata=json.dumps({"pair_id": pair_id}),
        blocks=[
            InputBlock(
                block_id=TOPIC,
                label="What would you like to talk about?",
                hint=clip(f"{partner_name} sees it in the agenda of your next session.", 2000),
                element=PlainTextInputElement(
                    action_id=ACTION,
                    max_length=MAX_ITEM_TEXT,
                    placeholder="How to prepare for a design review",
                ),
            )
        ],
    )


def parse_agenda(view: Mapping[str, Any]) -> tuple[Any, str]:
    """(pair id as sent, topic as typed) from a submitted agenda modal."""
    return metadata_of(view).get("pair_id"), str(_field(view, TOPIC).get("value") or "")


@dataclass(frozen=True)
class NotesPrefill:
    """What the writer already wrote on this session (to edit), slot by slot."""

    shared: str = ""
    private: str = ""
    items: Mapping[int, ItemDraft] | None = None


def _text_input(block_id: str, label: str, initial: str, limit: int, *, multiline: bool) -> Block:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=PlainTextInputElement(
            action_id=ACTION,
            multiline=multiline,
            max_length=limit,
            initial_value=clip(initial, limit) or None,
        ),
    )


def _item_inputs(slot: int, names: Mapping[str, str], draft: ItemDraft | None) -> list[Block]:
    options = [Option(value=role, label=clip(names[role], 75)) for role in OWNERS]
    owner = draft.owner if draft else "mentee"
    return [
        _text_input(
            f"item_{slot}",
            f"Action item {slot}",
            draft.text if draft else "",
            MAX_ITEM_TEXT,
            multiline=False,
        ),
        InputBlock(
            block_id=f"owner_{slot}",
            label=f"Whose is item {slot}?",
            optional=True,
            element=StaticSelectElement(
                action_id=ACTION,
                options=options,
                initial_option=next(o for o in options if o.value == owner),
            ),
        ),
        InputBlock(
            block_id=f"due_{slot}",
            label=f"Item {slot} due (optional)",
            optional=True,
            element=DatePickerElement(
                action_id=ACTION,
                initial_date=draft.due.isoformat() if draft and draft.due else None,
            ),
        ),
    ]


def notes_modal(
    meeting_id: int, day: str, partner_name: str, names: Mapping[str, str], prefill: NotesPrefill
) -> View:
    """Shared notes, up to five action items (owner, optional due date), a private note.
    `names` maps "mentee" and "mentor" to the two people's names. 18 blocks."""
    partner = mrkdwn(partner_name)
    intro = (
        f"Your {day} session with *{partner}*. Everything is optional. "
        f"*{partner}* sees the shared notes and the action items; the private note is for you only."
    )
    items = prefill.items or {}
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(intro, SECTION_TEXT))),
        _text_input(SHARED, "What you covered (shared)", prefill.shared, MAX_NOTE, multiline=True),
    ]
    for slot in range(1, MAX_ITEMS + 1):
        blocks += _item_inputs(slot, names, items.get(slot))
    blocks.append(
        _text_input(PRIVATE, "Private note (only you)", prefill.private, MAX_NOTE, multiline=True)
    )
    return View(
        type="modal",
        callback_id=NOTES_CALLBACK,
        title="Session notes",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"meeting_id": meeting_id}),
        blocks=blocks,
    )


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def parse_notes(view: Mapping[str, Any]) -> tuple[Any, NotesForm]:
    """(meeting id as sent, the form as typed) from a submitted notes modal."""
    drafts = []
    for slot in range(1, MAX_ITEMS + 1):
        option = _field(view, f"owner_{slot}").get("selected_option") or {}
        drafts.append(
            ItemDraft(
                slot=slot,
                text=str(_field(view, f"item_{slot}").get("value") or ""),
                owner=str(option.get("value") if isinstance(option, Mapping) else ""),
                due=_date(_field(view, f"due_{slot}").get("selected_date")),
            )
        )
    form = NotesForm(
        shared=str(_field(view, SHARED).get("value") or ""),
        private=str(_field(view, PRIVATE).get("value") or ""),
        items=tuple(drafts),
    )
    return metadata_of(view).get("meeting_id"), form


def history_modal(partner_name: str, lines: Sequence[str]) -> View:
    """Every session so far: date, what became of it, whether it has notes (no note text)."""
    text = "\n".join(lines) or "No sessions yet."
    pieces = split(text, SECTION_TEXT)
    room = VIEW_BLOCKS - 1
    if len(pieces) > room:
        pieces = [*pieces[: room - 1], "…and more before these."]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=p)) for p in pieces]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=clip(
                        f"Your sessions with *{mrkdwn(partner_name)}*, latest first. "
                        "📝 marks a session with notes.",
                        INPUT_MAX,
                    )
                )
            ]
        )
    )
    return View(type="modal", title="Session history", close="Close", blocks=blocks)
