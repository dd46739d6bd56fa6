"""`DriverStatement`: a Core statement run on the DB-API cursor (a DM reply's statements).
What it stores and reads back is what SQLAlchemy's own execution stores and reads, on both
databases; a driver error comes out as SQLAlchemy's; and the DM reply's writes on the driver
answer a retried message once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, bindparam, select
from sqlalchemy import insert as insert_into
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import PersonFacts, validate_plan
from storage.db import (
    ROWS_AT_ONCE,
    DriverStatement,
    autocommit_connection,
    inserted_rows,
    write_connection,
)
from storage.models import Milestone, Person, ReflectionAnswer, ReflectionPrompt
from storage.pairs import create_pair
from storage.people import FEW_FACTS, CachedFacts, cached_facts, get_people
from storage.reflections import (
    OpenPrompt,
    advance_prompt,
    open_prompt_row,
    record_answer,
    record_message,
)
from tests.kit.plans import plan_form
from tests.kit.workspace import START, TEAM

QUESTIONS = [{"key": "q1", "kind": "text", "text": "Naïve “quotes” — and ✨?"}, {"key": "q2"}]


def _open_prompt(sessions: sessionmaker[Session]) -> int:
    """UB's open prompt of two questions, on a pair of UA and UB."""
    people = {u: PersonFacts(user_id=u, name=u, tz="Europe/Berlin") for u in ("UA", "UB")}
    form = plan_form(mentor_id="UA", mentee_id="UB")
    plan, errors = validate_plan(form, now=START, people=people, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        pair = create_pair(session, TEAM, "UA", plan, START)
        milestone = session.scalars(select(Milestone).where(Milestone.pair_id == pair.id)).first()
        assert milestone is not None
        prompt = ReflectionPrompt(
            team_id=TEAM,
            pair_id=pair.id,
            milestone_id=milestone.id,
            user_id="UB",
            status="open",
            questions=QUESTIONS,
            position=0,
            asked_at=START,
        )
        session.add(prompt)
        session.flush()
        return prompt.id


def test_the_dm_reply_writes_what_the_orm_reads_back(sessions: sessionmaker[Session]) -> None:
    prompt_id = _open_prompt(sessions)
    at = datetime(2027, 3, 9, 14, 5, 6, 789012, tzinfo=UTC)
    answer = {"prompt_id": prompt_id, "question_key": "q1", "text": "Ünïcode “text” ✨"}
    with write_connection(sessions.kw["bind"]) as conn:
        prompt = open_prompt_row(conn, TEAM, "UB", lock=True)
        assert prompt == OpenPrompt(prompt_id, QUESTIONS, 0)
        stored = record_message(
            conn, team_id=TEAM, user_id="UB", channel="D1", ts="1.000001", now=at, answer=answer
        )
        assert isinstance(stored, int)
        advance_prompt(conn, prompt)
    with write_connection(sessions.kw["bind"]) as conn:  # the same message again
        again = record_message(
            conn, team_id=TEAM, user_id="UB", channel="D1", ts="1.000001", now=at, answer=answer
        )
        assert again is None
        assert open_prompt_row(conn, TEAM, "UB", lock=True) == OpenPrompt(prompt_id, QUESTIONS, 1)
    with sessions() as session:
        row = session.get(ReflectionAnswer, stored)
        assert row is not None
        assert (row.team_id, row.user_id, row.channel, row.ts) == (TEAM, "UB", "D1", "1.000001")
        assert (row.prompt_id, row.question_key, row.text) == (prompt_id, "q1", answer["text"])
        assert (row.rating, row.skipped, row.deleted) == (None, False, False)
        assert row.created_at == at  # stored as SQLAlchemy stores it: read back equal, in UTC
        moved = session.get(ReflectionPrompt, prompt_id)
        assert moved is not None and moved.position == 1
        assert (
            session.scalar(select(ReflectionAnswer.id).where(ReflectionAnswer.created_at == at))
            == stored
        )


def test_an_answer_and_its_move_are_written_together_once(
    sessions: sessionmaker[Session],
) -> None:
    """`record_answer` in a DM's write transaction: the answer stored and the prompt moved on
    (on PostgreSQL in one statement); the same message again changes nothing."""
    prompt_id = _open_prompt(sessions)
    engine = sessions.kw["bind"]
    answer = {"prompt_id": prompt_id, "question_key": "q1", "text": "Ünïcode “text” ✨"}
    for position in (0, 1):  # again: the prompt as read then, moved on by the first
        with write_connection(engine) as conn:
            prompt = OpenPrompt(prompt_id, QUESTIONS, position)
            stored = record_answer(
                conn,
                prompt,
                team_id=TEAM,
                user_id="UB",
                channel="D1",
                ts="3.1",
                now=START,
                answer=answer,
            )
        assert isinstance(stored, int) if position == 0 else stored is None, stored
    with sessions() as session:
        rows = session.scalars(select(ReflectionAnswer)).all()
        assert [(r.prompt_id, r.question_key, r.text, r.ts) for r in rows] == [
            (prompt_id, "q1", answer["text"], "3.1")
        ]
        moved = session.get(ReflectionPrompt, prompt_id)
        assert moved is not None and moved.position == 1


def test_a_rating_and_a_skip_keep_their_types(sessions: sessionmaker[Session]) -> None:
    prompt_id = _open_prompt(sessions)
    with write_connection(sessions.kw["bind"]) as conn:
        for ts, answer in (
            ("2.1", {"prompt_id": prompt_id, "question_key": "q1", "rating": 4, "text": "4"}),
            ("2.2", {"prompt_id": prompt_id, "question_key": "q2", "skipped": True}),
        ):
            record_message(
                conn, team_id=TEAM, user_id="UB", channel="D1", ts=ts, now=START, answer=answer
            )
    with sessions() as session:
        rows = session.scalars(select(ReflectionAnswer).order_by(ReflectionAnswer.ts)).all()
        assert [(r.rating, r.skipped, r.text) for r in rows] == [
            (4, False, "4"),
            (None, True, None),
        ]


def test_a_driver_error_is_sqlalchemys(engine: Engine) -> None:
    insert = insert_into(ReflectionAnswer)
    statement = DriverStatement(insert, engine.dialect, keys=["id", "team_id"])
    # NOT NULL: user_id, channel, ts, …
    with pytest.raises(IntegrityError) as raised, write_connection(engine) as conn:
        statement.run(conn, {"id": 1, "team_id": TEAM})
    assert isinstance(raised.value, DBAPIError) and raised.value.orig is not None
    with engine.connect() as conn:  # rolled back, and the connection is usable again
        assert conn.scalar(select(ReflectionAnswer.id)) is None


def test_many_rows_at_once_and_an_error_among_them(engine: Engine) -> None:
    """`run_many`: each row's parameters converted as one row's are, the count of rows
    written; a row the database refuses fails the whole statement as SQLAlchemy raises it."""
    people = insert_into(Person)
    keys = ["team_id", "user_id", "name", "tz", "deleted", "is_bot", "is_admin", "refreshed_at"]
    statement = DriverStatement(people, engine.dialect, keys=keys)
    at = datetime(2027, 3, 9, 14, 5, 6, 789012, tzinfo=ZoneInfo("America/New_York"))
    rows = [
        {"team_id": TEAM, "user_id": f"U{k}", "name": f"Naïve ✨ {k}", "tz": None, "deleted": k == 1,
         "is_bot": False, "is_admin": True, "refreshed_at": at}
        for k in range(3)
    ]  # fmt: skip
    with write_connection(engine) as conn:
        assert statement.run_many(conn, rows) == 3
    with engine.connect() as conn:
        stored = conn.execute(select(Person).order_by(Person.user_id)).all()
    assert [(p.user_id, p.name, p.deleted, p.refreshed_at) for p in stored] == [
        (r["user_id"], r["name"], r["deleted"], at) for r in rows
    ]
    if engine.dialect.name == "sqlite":  # stored as SQLAlchemy stores it (compared as text)
        with engine.connect() as conn:
            raw = conn.exec_driver_sql("SELECT refreshed_at FROM people LIMIT 1").scalar_one()
        assert raw == "2027-03-09 19:05:06.789012"
    read = select(Person.user_id, Person.refreshed_at).where(Person.team_id == bindparam("team"))
    every = DriverStatement(read.order_by(Person.user_id), engine.dialect, results=["refreshed_at"])
    with engine.connect() as conn:  # `all`: every row, its named columns as SQLAlchemy reads them
        assert every.all(conn, {"team": TEAM}) == [(r["user_id"], at) for r in rows]
        assert every.all(conn, {"team": "T0"}) == []
    again = [{**rows[0], "user_id": "U9"}, {**rows[0], "name": None}]  # NOT NULL name
    with pytest.raises(IntegrityError), write_connection(engine) as conn:
        statement.run_many(conn, again)
    with engine.connect() as conn:  # rolled back: U9 is not there
        assert conn.scalar(select(Person.user_id).where(Person.user_id == "U9")) is None


def test_rows_inserted_at_once_are_stored_as_sqlalchemy_stores_them(engine: Engine) -> None:
    """`inserted_rows`, in more than one part: every row's parameters converted as the first
    row's (a datetime as `UTCDateTime` stores it, not as the driver would), what RETURNING
    gave for each row, and the rows as SQLAlchemy's own insert stores the same values."""
    at = datetime(2027, 3, 9, 14, 5, 6, 789012, tzinfo=ZoneInfo("America/New_York"))
    rows = [
        {"team_id": TEAM, "user_id": f"U{k:03d}", "name": f"Naïve {k}", "tz": None,
         "deleted": False, "is_bot": False, "is_admin": k % 2 == 0, "refreshed_at": at}
        for k in range(ROWS_AT_ONCE + 3)
    ]  # fmt: skip
    insert = insert_into(Person).returning(Person.user_id, Person.refreshed_at)
    with write_connection(engine) as conn:
        back = inserted_rows(conn, insert, rows, results=["refreshed_at"])
        conn.execute(insert_into(Person), [{**rows[1], "user_id": "UALCHEMY"}])
    assert sorted(back) == [(r["user_id"], at) for r in rows]
    with engine.connect() as conn:
        raw: dict[str, object] = dict(
            conn.exec_driver_sql("SELECT user_id, refreshed_at FROM people").all()
        )
    assert raw == dict.fromkeys([r["user_id"] for r in rows] + ["UALCHEMY"], raw["UALCHEMY"])


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_lost_connection_is_invalidated_as_sqlalchemy_does(engine: Engine, admin: Engine) -> None:
    """The server ends the connection mid-transaction: the statement fails as SQLAlchemy's
    error saying so, the connection is not pooled again, and the next one works."""
    statement = DriverStatement(select(ReflectionAnswer.id), engine.dialect)
    invalidated = False
    with pytest.raises(DBAPIError) as raised, write_connection(engine) as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with admin.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            deadline = time.monotonic() + 10
            while other.exec_driver_sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {int(pid)}"
            ).scalar_one():
                assert time.monotonic() < deadline, "the backend never ended"
                time.sleep(0.01)
        try:
            statement.run(conn, {})
        finally:
            invalidated = conn.invalidated  # dropped, not pooled for a pre-ping to find
    assert raised.value.connection_invalidated and invalidated
    with write_connection(engine) as conn:
        assert statement.first(conn, {}) is None
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid


def test_an_in_list_is_refused(engine: Engine) -> None:
    """SQLAlchemy renders an IN list at each execution; the driver path would send its marker."""
    statement = select(ReflectionAnswer.id).where(ReflectionAnswer.ts.in_(["1.1", "1.2"]))
    with pytest.raises(ValueError, match="IN list"):
        DriverStatement(statement, engine.dialect)


@pytest.mark.parametrize("count", [1, 2, 3, FEW_FACTS, FEW_FACTS + 1])
def test_cached_facts_read_what_the_orm_reads(sessions: sessionmaker[Session], count: int) -> None:
    """`cached_facts` on the driver (a few people) and through SQLAlchemy (more): the same
    facts as the ORM loads, converted as it converts them (booleans, a zone that is None, an
    aware `refreshed_at`); a person the cache lacks, or another workspace's, is not read."""
    at = datetime(2027, 3, 9, 14, 5, 6, 789012, tzinfo=UTC)
    with sessions.begin() as session:
        for k in range(count):
            session.add(
                Person(team_id=TEAM, user_id=f"U{k}", name=f"Naïve “{k}”",
                       tz=None if k % 2 else "Europe/Berlin", deleted=k % 3 == 1,
                       is_bot=k % 4 == 2, is_admin=k % 2 == 0, refreshed_at=at)
            )  # fmt: skip
        session.add(Person(team_id="T_OTHER", user_id="U0", name="elsewhere", refreshed_at=at))
    wanted = [f"U{k}" for k in range(count)] + ["U_NEVER_SEEN"]
    with autocommit_connection(sessions.kw["bind"]) as conn:
        read = cached_facts(conn, TEAM, wanted)
    with sessions() as session:
        loaded = get_people(session, TEAM, wanted)
        expected = sorted(
            CachedFacts(p.user_id, p.name, p.tz, p.deleted, p.is_bot, p.is_admin, p.refreshed_at)
            for p in loaded
        )
    assert len(expected) == count
    assert sorted(read) == expected
    assert all(type(f.deleted) is bool and f.refreshed_at.utcoffset() is not None for f in read)
    with autocommit_connection(sessions.kw["bind"]) as conn:
        assert cached_facts(conn, TEAM, []) == []
