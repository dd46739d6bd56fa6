"""Reflection prompts and answers. Answers are keyed by the Slack message they came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import core_connection, dialect_insert, driver_statement
from storage.models import PromptStatus, ReflectionAnswer, ReflectionPrompt

OPEN = PromptStatus.OPEN.value


def ensure_prompts(
    session: Session, team_id: str, pair_id: int, wanted: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """The prompt ids for (milestone id, user id) pairs of one pair, each created once (no
    questions yet): one insert that skips those that exist and returns the ids it made; the
    ids of those that existed (none for a new pair) in one read."""
    if not wanted:
        return {}
    values = [
        {
            "team_id": team_id,
            "pair_id": pair_id,
            "milestone_id": milestone_id,
            "user_id": user_id,
            "status": PromptStatus.SCHEDULED.value,
            "questions": [],
            "position": 0,
        }
        for milestone_id, user_id in dict.fromkeys(wanted)
    ]
    conn = core_connection(session)
    dialect = conn.dialect.name
    ids = {(m, u): i for m, u, i in conn.execute(_insert_prompts(dialect), values)}
    if len(ids) < len(values):
        existing = {m for m, u in wanted if (m, u) not in ids}
        rows = conn.execute(_PROMPT_IDS, {"pair_id": pair_id, "milestones": sorted(existing)})
        ids.update(((m, u), i) for m, u, i in rows if (m, u) not in ids)
    return ids


@cache
def _insert_prompts(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into reflection_prompts RETURNING the new rows' keys and
    ids, built once per dialect."""
    stmt: Any = dialect_insert(dialect, ReflectionPrompt)
    return stmt.on_conflict_do_nothing().returning(
        ReflectionPrompt.milestone_id, ReflectionPrompt.user_id, ReflectionPrompt.id
    )


_PROMPT_IDS = select(
    ReflectionPrompt.milestone_id, ReflectionPrompt.user_id, ReflectionPrompt.id
).where(
    ReflectionPrompt.pair_id == bindparam("pair_id"),
    ReflectionPrompt.milestone_id.in_(bindparam("milestones", expanding=True)),
)


def open_prompt_for(
    session: Session, team_id: str, user_id: str, *, lock: bool = False
) -> ReflectionPrompt | None:
    """The person's oldest open prompt (the one their DM replies answer)."""
    stmt = _open_prompt(session.get_bind().dialect.name, lock, whole=True)
    return session.scalars(stmt, {"team": team_id, "user": user_id}).first()


@cache
def _open_prompt(dialect: str, lock: bool, *, whole: bool) -> Any:
    """The SELECT of a person's oldest open prompt, built once: the whole object, or only what a
    DM reply needs (locked on PostgreSQL when asked)."""
    columns: tuple[Any, ...] = (
        (ReflectionPrompt,)
        if whole
        else (ReflectionPrompt.id, ReflectionPrompt.questions, ReflectionPrompt.position)
    )
    stmt = (
        select(*columns)
        .where(
            ReflectionPrompt.team_id == bindparam("team"),
            ReflectionPrompt.user_id == bindparam("user"),
            ReflectionPrompt.status == OPEN,
        )
        .order_by(ReflectionPrompt.asked_at, ReflectionPrompt.id)
        .limit(1)
    )
    return stmt.with_for_update() if lock and dialect == "postgresql" else stmt


class OpenPrompt(NamedTuple):
    """What a DM reply needs of the person's open prompt, read without loading the object."""

    id: int
    questions: list[dict[str, Any]]
    position: int


def open_prompt_row(
    where: Session | Connection, team_id: str, user_id: str, *, lock: bool = False
) -> OpenPrompt | None:
    """`open_prompt_for` as a plain row (id, questions, position), on a connection or a session:
    a DM that answers a question other than the last loads no ORM object.

    On a connection (a DM reply's transaction) this read, `record_message` and `advance_prompt`
    run on the driver (`DriverStatement`): SQLAlchemy's execution layers were about half of the
    reply's transaction on SQLite."""
    params = {"team": team_id, "user": user_id}
    if isinstance(where, Connection):
        stmt = _open_prompt(where.dialect.name, lock, whole=False)
        row = driver_statement(where, stmt, results=("questions",)).first(where, params)
        return None if row is None else OpenPrompt(*row)
    found = (
        core_connection(where)
        .execute(_open_prompt(where.get_bind().dialect.name, lock, whole=False), params)
        .first()
    )
    return None if found is None else OpenPrompt(found.id, found.questions, found.position)


def record_message(
    where: Session | Connection,
    *,
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    now: datetime,
    answer: Mapping[str, Any] | None = None,
) -> int | None:
    """Remember a DM once, with what it answers (`answer`: prompt_id, question_key and text,
    rating or skipped); its id, or None when this message was already seen (a redelivered
    event)."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "channel": channel,
        "ts": ts,
        "created_at": now,
        **_NO_ANSWER,
        **(answer or {}),
    }
    if isinstance(where, Connection):
        stmt = _insert_message(where.dialect.name)
        row = driver_statement(where, stmt, keys=_MESSAGE_COLUMNS).first(where, values)
        return None if row is None else int(row[0])
    conn = core_connection(where)
    inserted: int | None = conn.execute(_insert_message(conn.dialect.name), values).scalar()
    return inserted


class Moved:
    """`record_answer`'s answer when the prompt was no longer at the question the answer is for
    (another message moved it on, or it ended): nothing was written."""


MOVED = Moved()


def record_answer(
    conn: Connection,
    prompt: OpenPrompt,
    *,
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    now: datetime,
    answer: Mapping[str, Any],
) -> int | Moved | None:
    """`record_message` with its answer to the prompt's question at `prompt.position`, and the
    prompt moved on to its next question, both or neither: the answer's id; None when the
    message was seen before; MOVED when the prompt is no longer open at that position (looked
    at first: a message seen before may find it so).

    On SQLite, inside the write transaction `conn` holds, after the prompt was read in it.
    On PostgreSQL one statement does it all: it locks the prompt if it is still open at that
    position (a concurrent writer's change is waited for and seen), inserts the message unless
    it was seen, and moves the prompt on only if it inserted. One statement is atomic on its
    own, so on a connection in autocommit the whole step is one round trip to the server
    instead of four (BEGIN, the locked read, the write, COMMIT)."""
    if conn.dialect.name != "postgresql":
        stored = record_message(
            conn, team_id=team_id, user_id=user_id, channel=channel, ts=ts, now=now, answer=answer
        )
        if stored is not None:
            advance_prompt(conn, prompt)
        return stored
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "channel": channel,
        "ts": ts,
        "created_at": now,
        **_NO_ANSWER,
        **answer,
        "prompt": prompt.id,
        "at": prompt.position,
        "position": prompt.position + 1,
    }
    row = driver_statement(conn, _ANSWER_AND_ADVANCE).first(conn, values)
    assert row is not None  # the statement always gives one row
    found, stored = row
    if not found:
        return MOVED
    return None if stored is None else int(stored)


_NO_ANSWER: dict[str, Any] = {
    "prompt_id": None,
    "question_key": None,
    "text": None,
    "rating": None,
    "skipped": False,
    "deleted": False,
}
_MESSAGE_COLUMNS = ("team_id", "user_id", "channel", "ts", "created_at", *_NO_ANSWER)


def advance_prompt(where: Session | Connection, prompt: ReflectionPrompt | OpenPrompt) -> None:
    """The prompt moves on to its next question (one UPDATE; a prompt object in the session is
    told without being marked changed)."""
    position = prompt.position + 1
    params = {"prompt": prompt.id, "position": position}
    if isinstance(where, Connection):
        driver_statement(where, _ADVANCE).run(where, params)
    else:
        core_connection(where).execute(_ADVANCE, params)
    if isinstance(prompt, ReflectionPrompt):
        set_committed_value(prompt, "position", position)


_ADVANCE = (
    update(ReflectionPrompt)
    .where(ReflectionPrompt.id == bindparam("prompt"))
    .values(position=bindparam("position"))
)


def _answer_and_advance() -> Any:
    """PostgreSQL: lock the prompt if it is open at the position (`locked`), INSERT the message
    only then and ON CONFLICT DO NOTHING (`inserted`), UPDATE the prompt's position only if
    that inserted; the row says whether the prompt was found, and the new answer's id."""
    locked = (
        select(ReflectionPrompt.id)
        .where(
            ReflectionPrompt.id == bindparam("prompt"),
            ReflectionPrompt.position == bindparam("at"),
            ReflectionPrompt.status == OPEN,
        )
        .with_for_update()
        .cte("locked")
    )
    columns = [ReflectionAnswer.__table__.c[name] for name in _MESSAGE_COLUMNS]
    inserted = (
        pg_insert(ReflectionAnswer)
        .from_select(
            columns,
            select(*(bindparam(c.key, type_=c.type) for c in columns)).where(
                exists(select(locked.c.id))
            ),
        )
        .on_conflict_do_nothing()
        .returning(ReflectionAnswer.id)
        .cte("inserted")
    )
    moved = (
        update(ReflectionPrompt)
        .where(ReflectionPrompt.id == bindparam("prompt"), exists(select(inserted.c.id)))
        .values(position=bindparam("position"))
        .cte("moved")
    )
    return select(exists(select(locked.c.id)), select(inserted.c.id).scalar_subquery()).add_cte(
        moved
    )


_ANSWER_AND_ADVANCE = _answer_and_advance()


@cache
def _insert_message(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id into reflection_answers, once per dialect."""
    stmt: Any = dialect_insert(dialect, ReflectionAnswer)
    return stmt.on_conflict_do_nothing().returning(ReflectionAnswer.id)


def answer_for_message(session: Session, channel: str, ts: str) -> ReflectionAnswer | None:
    """The stored answer that came from a Slack message."""
    return session.scalars(
        select(ReflectionAnswer).where(
            ReflectionAnswer.channel == channel, ReflectionAnswer.ts == ts
        )
    ).first()


def answers_of(session: Session, prompt_id: int) -> list[ReflectionAnswer]:
    """A prompt's answers (latest per question wins), in the order given."""
    rows = session.scalars(
        select(ReflectionAnswer)
        .where(ReflectionAnswer.prompt_id == prompt_id, ReflectionAnswer.question_key.is_not(None))
        .order_by(ReflectionAnswer.created_at, ReflectionAnswer.id)
    ).all()
    latest: dict[str, ReflectionAnswer] = {}
    for row in rows:
        assert row.question_key is not None
        latest[row.question_key] = row
    return list(latest.values())


def expire_prompts(session: Session, now: datetime) -> list[ReflectionPrompt]:
    """Open prompts past their window become expired; return them."""
    due = session.scalars(
        select(ReflectionPrompt).where(
            ReflectionPrompt.status == OPEN,
            ReflectionPrompt.expires_at.is_not(None),
            ReflectionPrompt.expires_at <= now,
        )
    ).all()
    if due:
        session.execute(
            update(ReflectionPrompt)
            .where(ReflectionPrompt.id.in_([p.id for p in due]))
            .values(status=PromptStatus.EXPIRED.value)
            .execution_options(synchronize_session=False)
        )
    return list(due)
