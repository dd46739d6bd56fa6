"""The sessions builders (nudge agenda, notes offer, partner note, modals, Home blocks), checked
through `.to_dict()` against Slack's limits as the stand-in enforces them, whatever people type:
long text, markup, many items. Every button names its object for screen readers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.domain.agenda import DONE, MAX_ITEM_TEXT, MAX_NOTE, NUDGE_ITEMS, OPEN, ItemDraft, Progress
from bot.home.data import HomeData, PairCard
from bot.home.view import build_home
from bot.meetings.messages import MeetingFacts, after_answer, answered_blocks, nudge
from bot.sessions.data import Agenda, ItemLine, LastSession, NoteLine, SessionsCard, Topic
from bot.sessions.home_blocks import sessions_blocks
from bot.sessions.messages import agenda_blocks, label, notes_written
from bot.sessions.modals import NotesPrefill, history_modal, notes_modal
from bot.standin.blockkit import message_errors, view_errors

AT = datetime(2027, 3, 9, 14, tzinfo=UTC)
MARKUP = "<!channel> & <@U0OMAR0001> <https://evil.example|click>"
NAMES = {"mentee": "Maya", "mentor": "Omar"}


def dicts(blocks: list[Block]) -> list[dict]:  # type: ignore[type-arg]
    return [b.to_dict() for b in blocks]


def buttons(blocks: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for block in blocks:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append(element)
    return found


def line(i: int, text: str, state: str = OPEN) -> ItemLine:
    return ItemLine(
        i, text, "Maya", date(2027, 3, 12), i % 3, state, "Omar" if state != OPEN else None
    )


def facts(agenda: Agenda | None) -> MeetingFacts:
    return MeetingFacts(
        meeting_id=7,
        at=AT,
        reader_tz="America/New_York",
        partner_name="Omar",
        partner_tz="Europe/Berlin",
        format="online",
        channels=("chat", "calls"),
        focus="Lead a design review",
        agenda=agenda,
    )


huge = st.one_of(
    st.text(min_size=1, max_size=40),
    st.text(alphabet="&<>*_~`", min_size=250, max_size=MAX_ITEM_TEXT),
    st.just("x" * MAX_ITEM_TEXT),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(huge, max_size=NUDGE_ITEMS),
    st.lists(huge, max_size=25),
    st.integers(0, 40),
    st.one_of(st.none(), st.text(max_size=6000)),
)
def test_a_nudge_with_any_agenda_stays_within_slacks_limits(
    items: list[str], topic_texts: list[str], more: int, prompt: str | None
) -> None:
    agenda = Agenda(
        pair_id=3,
        meeting_id=7,
        session_number=4,
        topics=tuple(Topic(t, "Maya" * 40) for t in topic_texts),
        items=tuple(line(i + 1, t, OPEN if i % 2 else DONE) for i, t in enumerate(items)),
        more=more,
        prompt=prompt,
    )
    text, blocks = nudge(facts(agenda))
    raw = dicts(blocks)
    assert message_errors(text, raw) is None
    assert len(raw) <= 4 + 21
    # Answered: the agenda stays as text, every button goes, 📝 is offered (held only).
    offer = after_answer("held", 7, AT, "America/New_York")
    answered = answered_blocks("✅ Recorded: you met on Tue 9 Mar. Thanks!", raw, offer)
    assert message_errors("x", answered) is None
    assert [b["action_id"] for b in buttons(answered)] == ["notes_open"]


def test_the_agenda_lists_items_topics_and_the_prompt_in_order_with_buttons() -> None:
    agenda = Agenda(
        pair_id=3,
        meeting_id=7,
        session_number=2,
        topics=(Topic("Career ladder", "you"), Topic(MARKUP, "Omar")),
        items=(line(11, "Draft the RFC"), line(12, "Read the book", DONE)),
        more=3,
        prompt="What did you try since last time?",
    )
    raw = dicts(agenda_blocks(agenda))
    texts = [b["text"]["text"] for b in raw if b["type"] == "section"]
    assert texts == [
        "*For session 2*: What did you try since last time?",
        "*On the agenda*\n• Career ladder _(you)_\n"
        "• &lt;!channel&gt; &amp; &lt;@U0OMAR0001&gt; &lt;https://evil.example|click&gt; _(Omar)_",
        "*Open action items*",
        "◻️ *Draft the RFC* — Maya · due Fri 12 Mar 2027 · carried 2×",
        "✅ ~Read the book~ — Maya · done by Omar",
        "…and 3 more open — they're on your Home tab.",
    ]
    [actions] = [b for b in raw if b["type"] == "actions"]  # only the open item has buttons
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("item_done", "11:7"),
        ("item_carry", "11:7"),
        ("item_drop", "11:7"),
    ]
    assert [e["accessibility_label"] for e in actions["elements"]] == [
        "Mark action item 'Draft the RFC' done",
        "Carry action item 'Draft the RFC' to the next session",
        "Drop action item 'Draft the RFC'",
    ]


def test_no_program_prompt_no_line_and_a_pair_without_items_shows_only_add_to_agenda() -> None:
    _, blocks = nudge(facts(Agenda(pair_id=3, meeting_id=7, session_number=1)))
    raw = dicts(blocks)
    assert "For session" not in json.dumps(raw) and "Open action items" not in json.dumps(raw)
    assert [b["action_id"] for b in buttons(raw)] == [
        "meeting_met",
        "meeting_reschedule",
        "meeting_skip",
        "agenda_add",
    ]


@given(
    st.text(max_size=200),
    st.sampled_from(["Mark action item '{}' done", "Add notes about the {} session"]),
)
def test_labels_name_their_object_within_75_characters(text: str, template: str) -> None:
    made = label(template, text)
    assert len(made) <= 75
    head = " ".join(text.split())
    if len(template.format(head)) <= 75:
        assert made == template.format(head)


def test_every_sessions_button_has_an_accessibility_label() -> None:
    agenda = Agenda(3, 7, 1, items=(line(1, "x" * 300),))
    card = SessionsCard(
        pair_id=3,
        reader_tz="America/New_York",
        items=(line(1, "Draft the RFC"),),
        more=0,
        last=LastSession(7, AT, ()),
        progress=Progress(held=1),
        can_add=True,
    )
    everything = [
        *dicts(nudge(facts(agenda))[1]),
        *dicts(after_answer("held", 7, AT, "UTC")),
        *dicts(sessions_blocks(card, "Omar")),
    ]
    found = buttons(everything)
    assert len(found) == 12
    for button in found:
        assert 0 < len(button["accessibility_label"]) <= 75, button


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="&<>ab \n", min_size=0, max_size=MAX_NOTE), huge)
def test_the_notes_modal_prefilled_with_anything_is_a_valid_view(note: str, text: str) -> None:
    prefill = NotesPrefill(
        shared=note,
        private=note,
        items={s: ItemDraft(s, text, "mentor", date(2027, 3, 12)) for s in range(1, 6)},
    )
    view = notes_modal(7, "Tue 9 Mar", "Omar" * 50, NAMES, prefill).to_dict()
    assert view_errors(view) == [] and len(view["blocks"]) == 18


def test_a_long_history_and_a_partner_note_full_of_markup_are_valid() -> None:
    lines = [f"Tue 9 Mar 2027 — ✅ met · 📝 notes · {i} action items" for i in range(2000)]
    assert view_errors(history_modal("Omar", lines).to_dict()) == []
    text, blocks = notes_written(MARKUP * 5, "Tue 9 Mar", [(MARKUP * 8, None)] * 5, 3)
    raw = dicts(blocks)
    assert message_errors(text, raw) is None
    assert "<!channel>" not in json.dumps(raw) and "&lt;!channel&gt;" in json.dumps(raw)


@settings(max_examples=20, deadline=None)
@given(st.text(alphabet="&<>xy", min_size=0, max_size=MAX_NOTE), st.integers(0, 30))
def test_home_cards_with_long_notes_and_many_items_fit_the_home_tab(note: str, n: int) -> None:
    sessions = SessionsCard(
        pair_id=1,
        reader_tz="America/New_York",
        items=tuple(line(i, "&" * MAX_ITEM_TEXT) for i in range(1, n + 1)),
        more=0,
        last=LastSession(7, AT, (NoteLine("Omar", note, False), NoteLine("You", note, True))),
        progress=Progress(held=3, with_notes=2, done=1, open=n),
        can_add=True,
    )
    cards = tuple(
        PairCard(
            pair_id=i,
            role="mentee",
            partner_name=f"Partner {i}",
            status="active",
            paused_until=None,
            next_meeting=AT,
            reader_tz="America/New_York",
            partner_tz="Europe/Berlin",
            rhythm="every Tuesday at 15:00 (Europe/Berlin)",
            format="online",
            channels=("chat",),
            end_date=date(2027, 9, 9),
            vision="v",
            goals=(),
            milestones=(),
            sessions=SessionsCard(**{**sessions.__dict__, "pair_id": i}),
        )
        for i in range(1, 9)
    )
    view = build_home(HomeData(cards=cards)).to_dict()
    assert view_errors(view) == [], view_errors(view)
