"""A person's and a pair's lookups: the right rows on both databases, and on SQLite (which has no
statistics here) an index that matches the lookup, so that their cost does not grow with the
rest of the database. Before migration 0010, SQLite found a person's open prompt through every
open prompt of the workspace, a pair's pending deliveries through every pending delivery of
every workspace (294 ms at 50,000 pairs to cancel one meeting's nudges), a pair's action items
through the workspace's and someone's enrolments through the workspace's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import PersonFacts, validate_plan
from storage.db import DriverStatement, make_engine, make_sessions, upgrade, write_connection
from storage.models import Delivery, DeliveryKind, Meeting, Milestone, ReflectionPrompt
from storage.notes import done_items, held_meetings, pair_items, progress
from storage.notes_batch import last_held_of, open_items_of, progress_of
from storage.outbox import (
    NewDelivery,
    add_deliveries,
    cancel_for_meeting,
    cancel_pending,
    claim_keys,
    pending_prompts_for,
    pending_rows,
)
from storage.pairs import NewPair, create_pair, open_pair_exists
from storage.programs import enrolments_of_user, pairs_ever
from storage.reflections import _open_prompt, open_prompt_row
from tests.kit.plans import plan_form
from tests.kit.workspace import START, TEAM

OTHER_TEAM = "T0000000002"
# Indexes that match only the workspace (or only the status) of these lookups: reading through
# them reads the whole workspace's (or database's) prompts, rows, items, meetings or notes.
TOO_WIDE = (
    "ix_deliveries_due",
    "ix_reflection_prompts_team_status_asked",
    "ix_action_items_team_status",
    "ix_meetings_team_status_at",
    "ix_session_notes_team_meeting",
    "ix_pairs_team_status_program",
    "(team_id=?)",
    "SCAN",
)


def _pair(sessions: sessionmaker[Session], team: str, mentor: str, mentee: str) -> NewPair:
    people = {u: PersonFacts(user_id=u, name=u, tz="Europe/Berlin") for u in (mentor, mentee)}
    form = plan_form(mentor_id=mentor, mentee_id=mentee)
    plan, errors = validate_plan(form, now=START, people=people, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        return create_pair(session, team, mentor, plan, START)


def _row(pair: NewPair, kind: str, key: str, user: str, hours: int) -> NewDelivery:
    return NewDelivery(
        team_id=pair.team_id,
        kind=kind,
        recipient_id=user,
        occurrence_key=key,
        due_at=START + timedelta(hours=hours),
        pair_id=pair.id,
    )


@pytest.fixture
def stored(sessions: sessionmaker[Session]) -> dict[str, NewPair]:
    return _store(sessions)


def _store(sessions: sessionmaker[Session]) -> dict[str, NewPair]:
    """UA mentors UB and is mentored by UC; UC also mentors UD; in another workspace UA has a
    pair too. Each pair has two meetings' nudges pending and a reflection prompt for each
    person, due in an order unlike the order they were stored in."""
    pairs = {
        "ab": _pair(sessions, TEAM, "UA", "UB"),
        "ca": _pair(sessions, TEAM, "UC", "UA"),
        "cd": _pair(sessions, TEAM, "UC", "UD"),
        "other": _pair(sessions, OTHER_TEAM, "UA", "UE"),
    }
    rows = []
    for n, pair in enumerate(pairs.values()):
        for meeting in (10 * n + 1, 10 * n + 2):
            for user in (pair.mentor_id, pair.mentee_id):
                key = f"nudge:{meeting}:{user}"
                rows.append(_row(pair, DeliveryKind.NUDGE, key, user, 50 - meeting))
        for hours, user in ((30 - n, pair.mentor_id), (20 + n, pair.mentee_id)):
            key = f"prompt:{pair.id}:{user}"
            rows.append(_row(pair, DeliveryKind.REFLECTION_PROMPT, key, user, hours))
    with sessions.begin() as session:
        add_deliveries(session, rows, START)
    return pairs


def test_a_pairs_pending_rows_soonest_first(sessions, stored: dict[str, NewPair]) -> None:
    pair = stored["ca"]
    with sessions() as session:
        rows = pending_rows(session, TEAM, pair.id)
        assert {r.pair_id for r in rows} == {pair.id} and len(rows) == 6
        assert [r.due_at for r in rows] == sorted(r.due_at for r in rows)
        kinds = pending_rows(session, TEAM, pair.id, (DeliveryKind.REFLECTION_PROMPT,))
        assert {r.kind for r in kinds} == {DeliveryKind.REFLECTION_PROMPT} and len(kinds) == 2


def test_cancelling_a_meeting_cancels_only_its_nudges(sessions, stored: dict[str, NewPair]) -> None:
    pair = stored["ca"]  # the second pair: its meetings are 11 and 12
    with sessions.begin() as session:
        assert cancel_for_meeting(session, TEAM, pair.id, 11, "meeting skipped") == 2
    with sessions() as session:
        cancelled = session.scalars(
            select(Delivery.occurrence_key).where(Delivery.status == "cancelled")
        ).all()
    assert sorted(cancelled) == ["nudge:11:UA", "nudge:11:UC"]


def test_a_persons_pending_prompts_across_their_pairs(sessions, stored: dict[str, NewPair]) -> None:
    with sessions() as session:
        rows = pending_prompts_for(session, TEAM, "UA")
    # UA's prompts in both of their pairs of this workspace (not the other one's), soonest
    # first: mentor of "ab" (due in 30 h), mentee of "ca" (due in 21 h).
    assert [(r.pair_id, r.due_at) for r in rows] == [
        (stored["ca"].id, START + timedelta(hours=21)),
        (stored["ab"].id, START + timedelta(hours=30)),
    ]


def _prompt(session: Session, pair: NewPair, user: str, asked: datetime, status: str) -> int:
    milestone_id = session.scalars(
        select(Milestone.id).where(Milestone.pair_id == pair.id).order_by(Milestone.id)
    ).all()[1 if user == pair.mentee_id and asked.hour % 2 else 0]
    prompt = ReflectionPrompt(
        team_id=pair.team_id,
        pair_id=pair.id,
        milestone_id=milestone_id,
        user_id=user,
        status=status,
        questions=[{"key": "q1", "kind": "text", "text": "How did it go?"}],
        asked_at=asked,
    )
    session.add(prompt)
    session.flush()
    return prompt.id


def test_a_persons_oldest_open_prompt(sessions, stored: dict[str, NewPair]) -> None:
    with sessions.begin() as session:
        _prompt(session, stored["ab"], "UA", START + timedelta(hours=3), "open")
        oldest = _prompt(session, stored["ca"], "UA", START + timedelta(hours=1), "open")
        _prompt(session, stored["cd"], "UD", START, "open")
        _prompt(session, stored["other"], "UA", START - timedelta(hours=5), "open")
    with sessions() as session:
        found = open_prompt_row(session, TEAM, "UA")
        assert found is not None and found.id == oldest
        assert open_prompt_row(session, TEAM, "UB") is None
    # On a connection (a DM reply's transaction) the same read runs on the driver.
    with write_connection(sessions.kw["bind"]) as conn:
        on_driver = open_prompt_row(conn, TEAM, "UA", lock=True)
        assert on_driver == found
        assert on_driver.questions == [{"key": "q1", "kind": "text", "text": "How did it go?"}]
        assert open_prompt_row(conn, TEAM, "UB", lock=True) is None


def test_each_pairs_latest_held_meeting(sessions, stored: dict[str, NewPair]) -> None:
    """The Home's latest held session of each pair (picked in Python since 0010)."""
    ab, ca = stored["ab"], stored["ca"]
    day = timedelta(days=7)
    with sessions.begin() as session:
        rows = [
            Meeting(team_id=TEAM, pair_id=pair.id, occurrence_key=f"m{n}", scheduled_at=at,
                    status=status)
            for n, (pair, at, status) in enumerate([
                (ab, START + 2 * day, "held"),
                (ab, START + 3 * day, "skipped"),
                (ab, START, "held"),
                (ab, START + 4 * day, "upcoming"),
                (ca, START + day, "held"),
                (stored["cd"], START + 5 * day, "held"),
            ])
        ]  # fmt: skip
        session.add_all(rows)
    with sessions() as session:
        found = last_held_of(session, TEAM, [ab.id, ca.id])
    assert {p: m.scheduled_at for p, m in found.items()} == {
        ab.id: START + 2 * day,
        ca.id: START + day,
    }


def test_everyone_who_was_paired_with_these_people(sessions, stored: dict[str, NewPair]) -> None:
    with sessions() as session:
        assert sorted(pairs_ever(session, TEAM, ["UA", "UD"])) == [
            ("UA", "UB"),
            ("UC", "UA"),
            ("UC", "UD"),
        ]
        assert open_pair_exists(session, TEAM, "UB", "UA")
        assert not open_pair_exists(session, TEAM, "UB", "UC")


def _plans(engine: Engine, lookup: Callable[[], Any]) -> list[str]:
    """SQLite's plan for every statement `lookup` runs (EXPLAIN QUERY PLAN, same parameters)."""
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        lookup()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements
    with engine.connect() as conn:
        return [
            row[3]
            for statement, parameters in statements
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite database as `db upgrade` makes it: the planner's choice between two indexes
    that fit equally well follows the order they were made in, which the migrations set."""
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_sqlite_finds_them_by_the_person_or_the_pair(migrated: Engine) -> None:
    engine, sessions = migrated, make_sessions(migrated)
    pairs = _store(sessions)
    pair = pairs["ca"]

    def read(fn: Callable[[Session], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with sessions() as session:
                return fn(session)

        return run

    def cancel() -> None:
        with sessions.begin() as session:
            cancel_for_meeting(session, TEAM, pair.id, 11, "meeting skipped")

    def claim() -> None:
        keys = ["nudge:1:UA", "nudge:1:UB", "nudge:2:UA", "nudge:2:UB", "prompt:0:UA"]
        claim_keys(engine, "test", START + timedelta(days=3), timedelta(minutes=2), keys)

    def cancel_ids() -> None:
        with sessions.begin() as session:
            # Four ids or more: with fewer, SQLite went by the ids even before.
            pending = (Delivery.pair_id == pairs["cd"].id, Delivery.status == "pending")
            ids = session.scalars(select(Delivery.id).where(*pending)).all()
            assert cancel_pending(session, ids[:5], "test") == 5

    def read_on_driver() -> None:
        # A DM reply reads on the driver, where no event sees the statement: the SQL it runs
        # (built as the reply builds it) is run here through the engine, to be explained.
        sql = DriverStatement(_open_prompt("sqlite", True, whole=False), engine.dialect).sql
        with engine.connect() as conn:
            conn.exec_driver_sql(sql, (TEAM, "UA", "open", 1, 0)).all()

    lookups = {
        "open prompt": (
            read(lambda s: open_prompt_row(s, TEAM, "UA")),
            "ix_reflection_prompts_person",
        ),
        "open prompt on the driver": (read_on_driver, "ix_reflection_prompts_person"),
        "pending rows": (
            read(lambda s: pending_rows(s, TEAM, pair.id)),
            "ix_deliveries_pair_status_due",
        ),
        "prompts": (
            read(lambda s: pending_prompts_for(s, TEAM, "UA")),
            "ix_deliveries_pair_status_due",
        ),
        "cancel": (cancel, "ix_deliveries_pair_status_due"),
        # By key and by id, with a status test beside them (the outbox's claims and cancels).
        "claim by keys": (claim, "sqlite_autoindex_deliveries_1"),
        "cancel by ids": (cancel_ids, "INTEGER PRIMARY KEY"),
        "open items": (
            read(lambda s: pair_items(s, TEAM, pair.id)),
            "ix_action_items_team_pair_status",
        ),
        "done items": (
            read(lambda s: done_items(s, TEAM, pair.id)),
            "ix_action_items_team_pair_status",
        ),
        "enrolments": (
            read(lambda s: enrolments_of_user(s, TEAM, "UA")),
            "ix_enrolments_team_user_status",
        ),
        # The Home's reads for a person's pairs.
        "open items of pairs": (
            read(lambda s: open_items_of(s, TEAM, [pair.id, pair.id + 1])),
            "ix_action_items_team_pair_status",
        ),
        "last held of pairs": (
            read(lambda s: last_held_of(s, TEAM, [pair.id, pair.id + 1])),
            "ix_meetings_pair_team_status_at",
        ),
        "progress of pairs": (
            read(lambda s: progress_of(s, TEAM, [pair.id, pair.id + 1])),
            "ix_session_notes_pair_team",
        ),
        "held meetings": (
            read(lambda s: held_meetings(s, TEAM, pair.id)),
            "ix_meetings_pair_team_status_at",
        ),
        "progress": (read(lambda s: progress(s, TEAM, pair.id)), "ix_meetings_pair_team_status_at"),
        # A program's publish and matching.
        "open pair exists": (
            read(lambda s: open_pair_exists(s, TEAM, "UA", "UB")),
            "ix_pairs_team_people",
        ),
        "pairs ever": (read(lambda s: pairs_ever(s, TEAM, ["UA", "UD"])), "ix_pairs_team_mentee"),
    }
    for name, (lookup, index) in lookups.items():
        plans = _plans(engine, lookup)
        assert any(index in line for line in plans), (name, plans)
        assert not any(wide in line for line in plans for wide in TOO_WIDE), (name, plans)
