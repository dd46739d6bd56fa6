"""The cache of Slack user facts (time zone, DM channel, deactivated, bot)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from storage.db import core_connection, dialect_insert, driver_statement
from storage.models import Person
from storage.pairs import AnyPair


def get_person(session: Session, team_id: str, user_id: str) -> Person | None:
    """The cached facts about a user, if any."""
    return session.get(Person, (team_id, user_id))


def get_people(session: Session, team_id: str, user_ids: Iterable[str]) -> list[Person]:
    """The cached facts about several users, in one query (those the cache has)."""
    ids = list(user_ids)
    return list(
        session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id.in_(ids)))
    )


class CachedFacts(NamedTuple):
    """A person's cached facts as `cached_facts` reads them (the FACT_COLUMNS)."""

    user_id: str
    name: str
    tz: str | None
    deleted: bool
    is_bot: bool
    is_admin: bool
    refreshed_at: datetime


def cached_facts(conn: Connection, team_id: str, user_ids: Iterable[str]) -> list[CachedFacts]:
    """The cached facts of these people (those the cache has), for the lookup before a
    request's answer: no Session and no objects, and for a form's few people one statement on
    the driver (`_few_facts`), where SQLAlchemy's execution of an expanding IN cost 110–115 µs
    of CPU on SQLite and 270–290 µs on PostgreSQL against 20–30 and 145 µs (two people, 7 ×
    2,000 reads, the lowest and median run)."""
    ids = list(user_ids)
    if not ids:
        return []
    if len(ids) > FEW_FACTS:
        rows = conn.execute(_CACHED_FACTS, {"team_id": team_id, "ids": ids})
        return [CachedFacts(*row) for row in rows]
    params = {"team_id": team_id, **{f"u{i}": u for i, u in enumerate(ids)}}
    statement = driver_statement(conn, _few_facts(len(ids)), results=FACT_COLUMNS)
    return [CachedFacts(*row) for row in statement.all(conn, params)]


def save_person(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    name: str,
    tz: str | None,
    deleted: bool,
    is_bot: bool,
    is_admin: bool,
    now: datetime,
) -> Person:
    """Insert or refresh a user's cached facts."""
    person = session.get(Person, (team_id, user_id))
    if person is None:
        person = Person(team_id=team_id, user_id=user_id)
        session.add(person)
    person.name, person.tz, person.deleted = name, tz, deleted
    person.is_bot, person.is_admin, person.refreshed_at = is_bot, is_admin, now
    return person


FACT_COLUMNS = ("name", "tz", "deleted", "is_bot", "is_admin", "refreshed_at")
_FACTS = (Person.user_id, *(getattr(Person, column) for column in FACT_COLUMNS))
_CACHED_FACTS = select(*_FACTS).where(
    Person.team_id == bindparam("team_id"),
    Person.user_id.in_(bindparam("ids", expanding=True)),
)
# People read at once on the driver (a form names three at most), one statement per count.
FEW_FACTS = 8


@cache
def _few_facts(count: int) -> Any:
    """The facts of `count` people of a workspace (parameters `team_id`, `u0`…): an OR of
    equalities, which the driver runs as it is (an IN list is rendered per execution)."""
    return select(*_FACTS).where(
        Person.team_id == bindparam("team_id"),
        or_(*(Person.user_id == bindparam(f"u{i}") for i in range(count))),
    )


def save_people(
    session: Session, team_id: str, facts: Iterable[Mapping[str, Any]], now: datetime
) -> None:
    """Insert or refresh several users' cached facts in one statement (each mapping has
    `user_id` and the FACT_COLUMNS but `refreshed_at`); the DM channel a row has stays."""
    values = [
        {
            "team_id": team_id,
            "refreshed_at": now,
            **{k: f[k] for k in _GIVEN},
        }
        for f in facts
    ]
    if not values:
        return
    conn = core_connection(session)
    # On the driver (`DriverStatement`), without SQLAlchemy's execution layers: with the new
    # pair's row, 50–70 µs of a plan's storing on SQLite (bench/README.md, "Fifteenth pass").
    driver_statement(conn, _upsert(conn.dialect.name), keys=_SAVED).run_many(conn, values)


def people_arrays(facts: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """PostgreSQL: facts as `upsert_from_arrays`' parameters (one array a column)."""
    given = list(facts)
    return {f"u_{column}": [f[column] for f in given] for column in _ARRAYS}


def upsert_from_arrays(team_id: Any, refreshed_at: Any) -> Any:
    """PostgreSQL: `save_people`'s INSERT … ON CONFLICT DO UPDATE as a CTE of another
    statement, the facts given as one array a column (`people_arrays`), for the workspace and
    time given as SQL expressions. The people given must be distinct (one statement can't
    update a row twice)."""
    rows = (
        func.unnest(*(bindparam(f"u_{c}", type_=ARRAY(t)) for c, t in _ARRAYS.items()))
        .table_valued(*_ARRAYS)
        .render_derived(name="u")
    )
    chosen = select(team_id, *rows.c, refreshed_at).select_from(rows)
    stmt = pg_insert(Person).from_select(["team_id", *_ARRAYS, "refreshed_at"], chosen)
    return stmt.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={column: getattr(stmt.excluded, column) for column in FACT_COLUMNS},
    ).cte("saved_people")


# The facts a caller gives each person (all but `refreshed_at`, which the save sets).
_GIVEN = ("user_id", *FACT_COLUMNS[:-1])
# What `save_people` gives each row: the workspace and time, then the facts.
_SAVED = ("team_id", "refreshed_at", *_GIVEN)
# The columns given as arrays: those of `save_people`'s mappings, with their types.
_ARRAYS = {c: Person.__table__.c[c].type for c in _GIVEN}


@cache
def _upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE of the facts, built once per dialect."""
    stmt: Any = dialect_insert(dialect, Person)
    return stmt.on_conflict_do_update(
        index_elements=["team_id", "user_id"],
        set_={column: getattr(stmt.excluded, column) for column in FACT_COLUMNS},
    )


def set_dm_channel(session: Session, team_id: str, user_id: str, channel_id: str) -> None:
    """Remember the bot's DM channel with a user."""
    person = session.get(Person, (team_id, user_id))
    if person is not None:
        person.dm_channel_id = channel_id


def zones_for(session: Session, pair: AnyPair) -> dict[str, str]:
    """Each participant's time zone (cached from Slack), falling back to the plan's."""
    cached = {
        p.user_id: p.tz for p in get_people(session, pair.team_id, (pair.mentee_id, pair.mentor_id))
    }
    return {u: cached.get(u) or pair.tz for u in (pair.mentee_id, pair.mentor_id)}
