"""Rules of a pair's sessions, as plain functions: what a notes form may hold, which action items
a session's agenda shows and in what order, and when a click on an item changes anything.

No Slack, no database: bot/sessions/ reads and writes, these decide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

MAX_ITEMS = 5  # action items in one notes form
MAX_ITEM_TEXT = 300  # characters of one action item or agenda topic
MAX_NOTE = 3000  # characters of a note (Slack's input maximum)
NUDGE_ITEMS = 8  # action items a nudge lists before "+N more on your Home tab"
HOME_ITEMS = 4  # action items a Home card lists
OWNERS = ("mentee", "mentor")

OPEN, DONE, DROPPED = "open", "done", "dropped"
CARRIED = "carried"  # the last_action of an item moved past a session
ACTIONS = (DONE, CARRIED, DROPPED)  # what a click on an item does

T = TypeVar("T")


def one_line(text: str) -> str:
    """A person's text on one line, whitespace runs collapsed."""
    return " ".join(text.split())


def text_key(text: str) -> str:
    """The same topic however it is spaced or capitalised: the key that makes adding it twice
    add nothing."""
    normal = one_line(text).casefold()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:40]


def too_long(text: str, limit: int) -> str | None:
    """The field error for text over `limit` characters, else None."""
    if len(text) <= limit:
        return None
    return f"Please keep this under {limit:,} characters (it has {len(text):,})."


def clean_topic(raw: str | None) -> tuple[str, str | None]:
    """(topic on one line, field error or None) for the Add-to-agenda form."""
    topic = one_line(raw or "")
    if not topic:
        return "", "Write the topic you'd like to talk about."
    return topic, too_long(topic, MAX_ITEM_TEXT)


@dataclass(frozen=True)
class ItemDraft:
    """One line of a notes form: its slot (1-5), text, owner role and optional due date."""

    slot: int
    text: str
    owner: str
    due: date | None


@dataclass(frozen=True)
class NotesForm:
    """A submitted notes form, as typed."""

    shared: str
    private: str
    items: tuple[ItemDraft, ...]


@dataclass(frozen=True)
class CleanNotes:
    """A notes form that passed: empty notes and empty slots mean "delete what was there"."""

    shared: str
    private: str
    items: tuple[ItemDraft, ...]  # the slots with text
    cleared: tuple[int, ...]  # the slots left empty


def validate_notes(
    form: NotesForm, today: date, kept_due: Mapping[int, date | None]
) -> CleanNotes | dict[str, str]:
    """The notes to store, or an error beside each field that needs fixing (nothing stored).

    A due date must be today or later in the writer's zone, unless it is the date the item
    already had (editing notes weeks later must not trip over an old due date)."""
    errors: dict[str, str] = {}
    shared, private = form.shared.strip(), form.private.strip()
    for block, text in (("shared", shared), ("private", private)):
        if problem := too_long(text, MAX_NOTE):
            errors[block] = problem
    items: list[ItemDraft] = []
    cleared: list[int] = []
    for draft in form.items:
        text = one_line(draft.text)
        if not 1 <= draft.slot <= MAX_ITEMS:
            continue
        if not text:
            cleared.append(draft.slot)
            if draft.due is not None and draft.due != kept_due.get(draft.slot):
                errors[f"due_{draft.slot}"] = "Add the item's text, or clear this date."
            continue
        if problem := too_long(text, MAX_ITEM_TEXT):
            errors[f"item_{draft.slot}"] = problem
        if draft.owner not in OWNERS:
            errors[f"owner_{draft.slot}"] = "Pick whose item this is."
        if draft.due is not None and draft.due < today and draft.due != kept_due.get(draft.slot):
            errors[f"due_{draft.slot}"] = "Pick today or a later date, or leave it empty."
        items.append(ItemDraft(draft.slot, text, draft.owner, draft.due))
    if errors:
        return errors
    return CleanNotes(shared, private, tuple(items), tuple(sorted(cleared)))


@dataclass(frozen=True)
class ItemState:
    """What the agenda rules need to know about an action item."""

    item_id: int
    status: str
    last_action: str | None
    acted_meeting_id: int | None
    due: date | None


def click_changes(item: ItemState, action: str, meeting_id: int | None) -> bool:
    """Whether Done / Carry over / Drop on the agenda of `meeting_id` changes the item: only an
    open item changes, and carrying it past a session it was already carried past does nothing
    (so a double click, or both people clicking, counts once)."""
    if item.status != OPEN or action not in ACTIONS:
        return False
    return not (
        action == CARRIED and item.last_action == CARRIED and item.acted_meeting_id == meeting_id
    )


def on_agenda(item: ItemState, meeting_id: int) -> str | None:
    """How an item shows on a session's agenda: "open" (with buttons), "carried" (moved past
    this session), "done" / "dropped" (closed from this session's agenda), or None (not shown:
    closed elsewhere)."""
    if item.status == OPEN:
        carried_here = item.last_action == CARRIED and item.acted_meeting_id == meeting_id
        return CARRIED if carried_here else OPEN
    return item.status if item.acted_meeting_id == meeting_id else None


_RANK = {OPEN: 0, CARRIED: 1, DONE: 2, DROPPED: 3}


def agenda_order(items: Sequence[ItemState], meeting_id: int) -> list[tuple[ItemState, str]]:
    """The items a session's agenda shows with their state: open ones first, soonest due
    first (no due date last), then those moved past it, then those closed from it."""
    shown = [(i, state) for i in items if (state := on_agenda(i, meeting_id)) is not None]
    return sorted(
        shown,
        key=lambda p: (_RANK[p[1]], p[0].due is None, p[0].due or date.min, p[0].item_id),
    )


def fit(entries: Sequence[T], limit: int) -> tuple[list[T], int]:
    """The first `limit` entries and how many more there are."""
    limit = max(limit, 0)
    return list(entries[:limit]), max(len(entries) - limit, 0)


@dataclass(frozen=True)
class Progress:
    """A pair's sessions in numbers (what leads, milestones and the journey may quote)."""

    held: int = 0
    with_notes: int = 0
    done: int = 0
    open: int = 0
    dropped: int = 0

    @property
    def items(self) -> int:
        """Action items that count: done and still open (dropped ones are let go)."""
        return self.done + self.open


def plural(n: int, word: str) -> str:
    """ "1 session", "3 sessions"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def progress_line(p: Progress) -> str:
    """ "4 sessions held, 3 of 5 action items done (2 open)": numbers only, never text."""
    line = f"{plural(p.held, 'session')} held"
    if p.items:
        line += f", {p.done} of {plural(p.items, 'action item')} done"
        if p.open:
            line += f" ({p.open} open)"
    return line
