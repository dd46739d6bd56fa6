"""Storage of sessions on SQLite and PostgreSQL: every write is idempotent, a deleted note is gone,
every query keeps to its workspace, the SQL of a click agrees with the pure rule, and a purged
workspace takes its sessions with it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import product

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.agenda import CARRIED, DONE, DROPPED, ItemDraft, ItemState, Progress, click_changes
from storage.agenda import add_agenda_item, agenda_items, cover_agenda
from storage.models import (
    ActionItem,
    ActionItemEvent,
    AgendaItem,
    Meeting,
    Pair,
    SessionNote,
)
from storage.notes import (
    act_on_item,
    get_item,
    item_history,
    notes_of,
    pair_items,
    progress,
    save_items,
    save_note,
)
from storage.workspaces import purge_team

TEAM, OTHER = "T0000000001", "T0OTHER001"
NOW = datetime(2027, 3, 9, 15, tzinfo=UTC)


def make_pair(s: Session, team: str = TEAM) -> tuple[Pair, list[Meeting]]:
    pair = Pair(
        team_id=team,
        mentor_id="U0OMAR0001",
        mentee_id="U0MAYA0001",
        people_key=f"{team}:pair",
        creator_id="U0OMAR0001",
        status="active",
        start_date=date(2027, 3, 2),
        end_date=date(2027, 6, 1),
        tz="Europe/Berlin",
        cadence="weekly",
        meeting_time=time(15),
        format="online",
        channels="chat",
        checkpoint_weeks=4,
        created_at=NOW,
        updated_at=NOW,
    )
    s.add(pair)
    s.flush()
    meetings = [
        Meeting(
            team_id=team,
            pair_id=pair.id,
            occurrence_key=f"m{i}",
            scheduled_at=NOW + timedelta(weeks=i),
            status="held" if i == 0 else "upcoming",
        )
        for i in range(3)
    ]
    s.add_all(meetings)
    s.flush()
    return pair, meetings


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> Iterator[tuple[sessionmaker[Session], int, int]]:
    with sessions.begin() as s:
        pair, meetings = make_pair(s)
        yield_ids = (pair.id, meetings[0].id)
    yield sessions, *yield_ids


def count(s: Session, model: type) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_topic_is_stored_once_while_it_waits(world) -> None:
    sessions, pair_id, held = world
    for text in ("Career ladder", "Career ladder", "career ladder"):  # keys come from the domain
        with sessions.begin() as s:
            add_agenda_item(
                s,
                team_id=TEAM,
                pair_id=pair_id,
                author_id="U0MAYA0001",
                text=text,
                text_key="career ladder",
                now=NOW - timedelta(hours=1),
            )
    with sessions.begin() as s:
        assert [t.text for t in agenda_items(s, TEAM, pair_id)] == ["Career ladder"]
        assert agenda_items(s, OTHER, pair_id) == []
        assert cover_agenda(s, TEAM, pair_id, held, before=NOW) == 1
        # Covered by the session: the same topic may wait for a later one again.
        assert add_agenda_item(
            s,
            team_id=TEAM,
            pair_id=pair_id,
            author_id="U0MAYA0001",
            text="Career ladder",
            text_key="career ladder",
            now=NOW + timedelta(hours=1),
        )
        # Added after the session began: it waits for the next one.
        assert cover_agenda(s, TEAM, pair_id, held, before=NOW) == 0
        assert [t.covered_meeting_id for t in agenda_items(s, TEAM, pair_id, held)] == [held, None]


def test_notes_are_stored_once_and_an_emptied_note_is_deleted(world) -> None:
    sessions, pair_id, held = world

    def save(text: str, visibility: str = "shared") -> bool:
        with sessions.begin() as s:
            return save_note(
                s,
                team_id=TEAM,
                pair_id=pair_id,
                meeting_id=held,
                author_id="U0OMAR0001",
                visibility=visibility,
                text=text,
                now=NOW,
            )

    assert save("Walked through the checklist") and not save("Walked through the checklist")
    assert save("Private thought", "private")
    assert save("Walked through the checklist, twice")  # an edit
    with sessions() as s:
        assert [(n.visibility, n.text) for n in notes_of(s, TEAM, [held])] == [
            ("shared", "Walked through the checklist, twice"),
            ("private", "Private thought"),
        ]
        assert notes_of(s, OTHER, [held]) == []
    assert save("", "private") and not save("", "private")
    with sessions() as s:
        assert "Private thought" not in [r.text for r in s.scalars(select(SessionNote))]
        assert count(s, SessionNote) == 1


def test_items_are_kept_by_slot_and_a_cleared_slot_deletes_item_and_history(world) -> None:
    sessions, pair_id, held = world
    drafts = [
        ItemDraft(1, "Draft the RFC", "mentee", date(2027, 3, 12)),
        ItemDraft(2, "Read", "mentor", None),
    ]

    def store(items: list[ItemDraft], cleared: tuple[int, ...] = ()) -> int:
        with sessions.begin() as s:
            return save_items(
                s,
                team_id=TEAM,
                pair_id=pair_id,
                meeting_id=held,
                created_by="U0OMAR0001",
                items=items,
                cleared=cleared,
                now=NOW,
            )

    assert store(drafts) == 2
    assert store(drafts) == 0  # the same form again: nothing changes, no second "added"
    with sessions() as s:
        assert count(s, ActionItem) == 2 and count(s, ActionItemEvent) == 2
    assert store([ItemDraft(1, "Draft the RFC v2", "mentee", None)], cleared=(2,)) == 2
    with sessions() as s:
        rows = pair_items(s, TEAM, pair_id)
        assert [(r.slot, r.text, r.due_date) for r in rows] == [(1, "Draft the RFC v2", None)]
        assert count(s, ActionItemEvent) == 1  # the deleted item's history went with it
        assert pair_items(s, OTHER, pair_id) == [] and get_item(s, OTHER, rows[0].id) is None


ACTIONS_SEEN = list(product((DONE, CARRIED, DROPPED), (1, 2)))


@pytest.mark.parametrize(
    "sequence",
    [ACTIONS_SEEN[i : i + 4] for i in range(0, 6)]
    + [
        [(CARRIED, 1), (CARRIED, 1), (CARRIED, 2), (CARRIED, 1), (DONE, 2), (DROPPED, 2)],
    ],
)
def test_the_sql_of_a_click_agrees_with_the_rule(world, sequence) -> None:
    sessions, pair_id, held = world
    with sessions.begin() as s:
        save_items(
            s,
            team_id=TEAM,
            pair_id=pair_id,
            meeting_id=held,
            created_by="U0OMAR0001",
            items=[ItemDraft(1, "Draft the RFC", "mentee", None)],
            cleared=(),
            now=NOW,
        )
        item_id = pair_items(s, TEAM, pair_id)[0].id
    changes = 0
    for action, meeting in sequence:
        with sessions.begin() as s:
            row = get_item(s, TEAM, item_id)
            assert row is not None
            state = ItemState(row.id, row.status, row.last_action, row.acted_meeting_id, None)
            expected = click_changes(state, action, meeting)
            changed = act_on_item(
                s,
                team_id=TEAM,
                item_id=item_id,
                action=action,
                meeting_id=meeting,
                by="U0MAYA0001",
                now=NOW,
            )
            assert changed == expected, (action, meeting, state)
            changes += changed
    with sessions() as s:
        history = [e.action for e in item_history(s, TEAM, item_id)]
        row = get_item(s, TEAM, item_id)
        assert row is not None and row.carried_count == history.count(CARRIED)
        assert history[0] == "added" and len(history) == 1 + changes
        # Another workspace's click on the same id changes nothing.
        assert not act_on_item(
            s, team_id=OTHER, item_id=item_id, action=DONE, meeting_id=1, by="U0X", now=NOW
        )


def test_progress_counts_and_a_purged_workspace_takes_its_sessions(world) -> None:
    sessions, pair_id, held = world
    with sessions.begin() as s:
        save_note(
            s,
            team_id=TEAM,
            pair_id=pair_id,
            meeting_id=held,
            author_id="U0MAYA0001",
            visibility="private",
            text="mine",
            now=NOW,
        )
        save_items(
            s,
            team_id=TEAM,
            pair_id=pair_id,
            meeting_id=held,
            created_by="U0MAYA0001",
            items=[ItemDraft(i, f"Item {i}", "mentee", None) for i in (1, 2, 3)],
            cleared=(),
            now=NOW,
        )
        first, second, _ = [r.id for r in pair_items(s, TEAM, pair_id)]
        act_on_item(
            s, team_id=TEAM, item_id=first, action=DONE, meeting_id=None, by="U0MAYA0001", now=NOW
        )
        act_on_item(
            s,
            team_id=TEAM,
            item_id=second,
            action=DROPPED,
            meeting_id=None,
            by="U0MAYA0001",
            now=NOW,
        )
        add_agenda_item(
            s,
            team_id=TEAM,
            pair_id=pair_id,
            author_id="U0MAYA0001",
            text="t",
            text_key="t",
            now=NOW,
        )
        other, _ = make_pair(s, OTHER)
    with sessions() as s:
        assert progress(s, TEAM, pair_id) == Progress(
            held=1, with_notes=1, done=1, open=1, dropped=1
        )
        assert progress(s, OTHER, pair_id) == Progress()
    with sessions.begin() as s:
        purge_team(s, TEAM)
    with sessions() as s:
        for model in (AgendaItem, SessionNote, ActionItem, ActionItemEvent):
            assert count(s, model) == 0, model
        assert s.get(Pair, other.id) is not None
