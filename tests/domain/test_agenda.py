"""The rules of sessions (bot/domain/agenda.py), property-tested: the notes form, topics, which
action items an agenda shows and in what order, and when a click changes anything."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.agenda import (
    ACTIONS,
    CARRIED,
    DONE,
    DROPPED,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_NOTE,
    OPEN,
    OWNERS,
    CleanNotes,
    ItemDraft,
    ItemState,
    NotesForm,
    Progress,
    agenda_order,
    clean_topic,
    click_changes,
    fit,
    on_agenda,
    one_line,
    progress_line,
    text_key,
    validate_notes,
)

TODAY = date(2027, 3, 9)
texts = st.text(max_size=400)
long_texts = st.one_of(st.text(max_size=60), st.text(min_size=2990, max_size=3100))
dates = st.one_of(st.none(), st.dates(date(2027, 2, 1), date(2027, 4, 30)))
drafts = st.builds(
    ItemDraft,
    slot=st.integers(0, MAX_ITEMS + 1),
    text=texts,
    owner=st.sampled_from([*OWNERS, "", "boss"]),
    due=dates,
)
forms = st.builds(
    NotesForm, shared=long_texts, private=long_texts, items=st.lists(drafts, max_size=7).map(tuple)
)
kept_dues = st.dictionaries(st.integers(1, MAX_ITEMS), dates, max_size=MAX_ITEMS)


@given(st.text(max_size=80), st.lists(st.sampled_from([" ", "  ", "\n", "\t"]), max_size=5))
def test_a_topic_is_the_same_however_it_is_spaced(text: str, spaces: list[str]) -> None:
    spaced = "".join(spaces) + text.replace(" ", "  ") + "".join(spaces)
    assert text_key(spaced) == text_key(text)


@given(st.from_regex(r"[A-Za-z ]{1,40}", fullmatch=True))
def test_a_topic_is_the_same_whatever_its_case(text: str) -> None:
    assert text_key(text.swapcase()) == text_key(text)


@given(st.text(max_size=40), st.text(max_size=40))
def test_different_topics_have_different_keys(a: str, b: str) -> None:
    if one_line(a).casefold() != one_line(b).casefold():
        assert text_key(a) != text_key(b)


@given(st.one_of(texts, st.none(), st.text(min_size=290, max_size=320)))
def test_a_topic_is_one_nonempty_line_within_the_limit_or_an_error(raw: str | None) -> None:
    topic, error = clean_topic(raw)
    if error is None:
        assert topic and "\n" not in topic and len(topic) <= MAX_ITEM_TEXT
        assert topic == topic.strip()
    else:
        assert error.endswith(".")


@given(forms, kept_dues)
def test_a_notes_form_passes_within_every_limit_or_names_its_fields(
    form: NotesForm, kept: dict[int, date | None]
) -> None:
    result = validate_notes(form, TODAY, kept)
    slots = {d.slot for d in form.items if 1 <= d.slot <= MAX_ITEMS}
    if isinstance(result, dict):
        allowed = {"shared", "private"} | {
            f"{field}_{s}" for s in slots for field in ("item", "owner", "due")
        }
        assert result and set(result) <= allowed
        return
    assert isinstance(result, CleanNotes)
    assert len(result.shared) <= MAX_NOTE and len(result.private) <= MAX_NOTE
    for item in result.items:
        assert 1 <= item.slot <= MAX_ITEMS and item.owner in OWNERS
        assert item.text and "\n" not in item.text and len(item.text) <= MAX_ITEM_TEXT
        assert item.due is None or item.due >= TODAY or item.due == kept.get(item.slot)
    given_slots = {i.slot for i in result.items} | set(result.cleared)
    assert given_slots == slots


@given(forms, kept_dues)
def test_an_error_in_one_field_is_reported_whatever_else_is_right(
    form: NotesForm, kept: dict[int, date | None]
) -> None:
    """A due date before today that the item didn't have is always refused beside its field."""
    bad = ItemDraft(3, "Draft the RFC", "mentee", TODAY - timedelta(days=1))
    kept = {**kept, 3: None}
    others = tuple(d for d in form.items if d.slot != 3)
    result = validate_notes(replace(form, items=(*others, bad)), TODAY, kept)
    assert isinstance(result, dict) and result["due_3"].startswith("Pick today or a later date")


def test_notes_field_errors_read_like_the_bot() -> None:
    form = NotesForm(
        shared="x" * (MAX_NOTE + 1),
        private="",
        items=(
            ItemDraft(1, "", "mentee", TODAY),
            ItemDraft(2, "y" * (MAX_ITEM_TEXT + 5), "mentor", None),
            ItemDraft(4, "Ship it", "boss", None),
        ),
    )
    assert validate_notes(form, TODAY, {}) == {
        "shared": "Please keep this under 3,000 characters (it has 3,001).",
        "due_1": "Add the item's text, or clear this date.",
        "item_2": "Please keep this under 300 characters (it has 305).",
        "owner_4": "Pick whose item this is.",
    }
    # An old due date an item already had stays acceptable when the notes are edited later.
    old = ItemDraft(1, "Draft the RFC", "mentee", TODAY - timedelta(days=20))
    clean = validate_notes(NotesForm("", "", (old,)), TODAY, {1: old.due})
    assert isinstance(clean, CleanNotes) and clean.items == (old,)


states = st.builds(
    ItemState,
    item_id=st.integers(1, 10_000),
    status=st.sampled_from([OPEN, DONE, DROPPED]),
    last_action=st.sampled_from([None, DONE, CARRIED, DROPPED]),
    acted_meeting_id=st.one_of(st.none(), st.integers(1, 4)),
    due=dates,
)


@given(st.lists(states, max_size=30, unique_by=lambda s: s.item_id), st.integers(1, 4))
def test_an_agenda_shows_each_item_once_open_first_soonest_due_first(
    items: list[ItemState], meeting: int
) -> None:
    shown = agenda_order(items, meeting)
    ids = [i.item_id for i, _ in shown]
    assert len(ids) == len(set(ids))
    expected = {i.item_id for i in items if i.status == OPEN or i.acted_meeting_id == meeting}
    assert set(ids) == expected  # closed elsewhere: not on this agenda
    ranks = [[OPEN, CARRIED, DONE, DROPPED].index(state) for _, state in shown]
    assert ranks == sorted(ranks)
    open_dues = [i.due for i, state in shown if state == OPEN]
    dated = [d for d in open_dues if d is not None]
    assert dated == sorted(dated) and open_dues == dated + [None] * (len(open_dues) - len(dated))


@given(st.lists(st.integers(), max_size=40), st.integers(-2, 12))
def test_fit_shows_at_most_the_limit_and_counts_the_rest(entries: list[int], limit: int) -> None:
    shown, more = fit(entries, limit)
    assert len(shown) <= max(limit, 0) and shown + entries[len(shown) :] == entries
    assert len(shown) + more == len(entries)


clicks = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(1, 4)), max_size=12)


@given(clicks)
def test_a_click_counts_once_and_a_closed_item_never_changes(
    sequence: list[tuple[str, int]],
) -> None:
    """Model the item through a run of clicks (double clicks, both people, several sessions)."""
    item = ItemState(1, OPEN, None, None, None)
    carried = 0
    for action, meeting in sequence:
        before = item
        if click_changes(item, action, meeting):
            assert before.status == OPEN
            item = ItemState(1, OPEN if action == CARRIED else action, action, meeting, None)
            carried += action == CARRIED
            # The session it was clicked on shows what happened.
            assert on_agenda(item, meeting) == action
            # The same click again, at once (a double click, or the partner's crossing click).
            assert not click_changes(item, action, meeting)
        elif before.status == OPEN:
            assert (action, before.last_action, before.acted_meeting_id) == (
                CARRIED,
                CARRIED,
                meeting,
            )
        if before.status != OPEN:
            assert item == before and not click_changes(item, action, meeting)
            assert on_agenda(item, meeting) in (None, item.status)
    assert carried <= sum(1 for a, _ in sequence if a == CARRIED)


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 30), st.integers(0, 30))
def test_progress_quotes_numbers_only(held: int, notes: int, done: int, open_: int) -> None:
    line = progress_line(Progress(held=held, with_notes=notes, done=done, open=open_))
    assert line.startswith(f"{held} session")
    assert (f"{done} of {done + open_} action item" in line) == bool(done + open_)
    assert ("open)" in line) == bool(open_)
