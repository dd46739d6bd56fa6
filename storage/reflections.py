"""Reflection prompts and answers. Answers are keyed by the Slack message they came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    Connection,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import core_connection, dialect_insert, driver_statement, inserted_rows
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
    ids = {(m, u): i for m, u, i in inserted_rows(conn, _insert_prompts(dialect), values)}
    if len(ids) < len(values):
        add_existing_prompts(conn, pair_id, wanted, ids)
    return ids


def add_existing_prompts(
    conn: Connection, pair_id: int, wanted: Sequence[tuple[int, str]], ids: dict[Any, int]
) -> None:
    """The ids of the `wanted` prompts missing from `ids` (those an insert skipped: they
    existed), added to it from one read."""
    existing = {m for m, u in wanted if (m, u) not in ids}
    rows = conn.execute(_PROMPT_IDS, {"pair_id": pair_id, "milestones": sorted(existing)})
    ids.update(((m, u), i) for m, u, i in rows if (m, u) not in ids)


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

    On a connection (a DM reply's transaction) this read, `record_message` and `record_answer`
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
    values = _message_values(team_id, user_id, channel, ts, now, answer)
    if isinstance(where, Connection):
        stmt = _insert_message(where.dialect.name)
        row = driver_statement(where, stmt, keys=_MESSAGE_COLUMNS).first(where, values)
        return None if row is None else int(row[0])
    conn = core_connection(where)
    inserted: int | None = conn.execute(_insert_message(conn.dialect.name), values).scalar()
    return inserted


def _message_values(
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    now: datetime,
    answer: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A stored message's columns: what it answers (`answer`), or nothing."""
    return {
        "team_id": team_id,
        "user_id": user_id,
        "channel": channel,
        "ts": ts,
        "created_at": now,
        **_NO_ANSWER,
        **(answer or {}),
    }


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
) -> int | None:
    """`record_message` with its answer to the prompt's question at `prompt.position`, and the
    prompt moved on to its next question when the message is new, in the write transaction
    `conn` holds (the prompt read locked in it): the answer's id, or None when the message was
    seen before (then nothing changes). On PostgreSQL one statement (the UPDATE in a CTE that
    runs only when the INSERT inserted): a round trip less."""
    if conn.dialect.name != "postgresql":
        stored = record_message(
            conn, team_id=team_id, user_id=user_id, channel=channel, ts=ts, now=now, answer=answer
        )
        if stored is not None:
            advance_prompt(conn, prompt)
        return stored
    values = {
        **_message_values(team_id, user_id, channel, ts, now, answer),
        "prompt": prompt.id,
        "position": prompt.position + 1,
    }
    row = driver_statement(conn, _ANSWER_AND_ADVANCE).first(conn, values)
    return None if row is None else int(row[0])


class Answered(NamedTuple):
    """What `answer_next` found and did: the person's open prompt as it was (None: no open
    prompt), and the stored answer's id when it wrote one (`wrote` False: the step is not one
    it writes, nothing was)."""

    prompt: OpenPrompt | None
    wrote: bool
    stored: int | None


def answer_next(
    conn: Connection,
    *,
    team_id: str,
    user_id: str,
    channel: str,
    ts: str,
    now: datetime,
    text: str | None,
    rating: int | None,
    skipped: bool,
) -> Answered:
    """PostgreSQL, on a connection in autocommit: a DM's whole common step in one statement.

    It locks the person's oldest open prompt and, only when its question at `position` is not
    the last one and the DM answers it (a skip; a rating question's `rating` parsed), stores
    the message with its answer (the question's key, `text`, the rating for a rating question)
    unless the message was seen, and moves the prompt on when it stored it. Otherwise it
    writes nothing and says what it found, for the caller to decide (`Answered.wrote`): the
    last answer, a stop, an unclear rating take a transaction."""
    row = driver_statement(conn, _ANSWER_NEXT, results=("questions",)).first(
        conn,
        {
            "team": team_id,
            "user": user_id,
            "channel": channel,
            "ts": ts,
            "now": now,
            "text": None if skipped else text,
            "rating": rating,
            "skipped": skipped,
        },
    )
    assert row is not None  # the statement always gives one row
    prompt_id, questions, position, target, stored = row
    if prompt_id is None:
        return Answered(None, False, None)
    prompt = OpenPrompt(prompt_id, questions, position)
    return Answered(prompt, target is not None, None if stored is None else int(stored))


def _answer_next_statement() -> Any:
    """The statement of `answer_next` (PostgreSQL): `prompt` (locked), `target` (the prompt
    when the step is one this writes, with its question), `inserted`, `moved`; one row."""
    prompt = _open_prompt("postgresql", True, whole=False).cte("prompt")  # as a DM's read
    question = prompt.c.questions.op("->")(prompt.c.position)
    kind = question.op("->>")(literal("kind"))
    rating = bindparam("rating", type_=Integer)
    skipped = bindparam("skipped", type_=Boolean)
    target = (
        select(prompt.c.id, question.op("->>")(literal("key")).label("key"), kind.label("kind"))
        .where(
            prompt.c.position + 1 < func.json_array_length(prompt.c.questions),
            or_(skipped, kind.is_distinct_from("rating"), rating.is_not(None)),
        )
        .cte("target")
    )
    answers = ReflectionAnswer.__table__
    inserted = (
        pg_insert(ReflectionAnswer)
        .from_select(
            list(_MESSAGE_COLUMNS),
            select(  # in `_MESSAGE_COLUMNS`' order
                bindparam("team", type_=answers.c.team_id.type),
                bindparam("user", type_=answers.c.user_id.type),
                bindparam("channel", type_=answers.c.channel.type),
                bindparam("ts", type_=answers.c.ts.type),
                bindparam("now", type_=answers.c.created_at.type),
                target.c.id,
                target.c.key,
                bindparam("text", type_=answers.c.text.type),
                case((and_(not_(skipped), target.c.kind == "rating"), rating), else_=null()),
                skipped,
                false(),
            ),
        )
        .on_conflict_do_nothing()
        .returning(ReflectionAnswer.id)
        .cte("inserted")
    )
    moved = (
        update(ReflectionPrompt)
        .where(ReflectionPrompt.id == select(target.c.id).scalar_subquery())
        .where(exists(select(inserted.c.id)))
        .values(position=ReflectionPrompt.position + 1)
        .cte("moved")
    )
    one = select(literal(1).label("one")).subquery("one")
    return (
        select(
            prompt.c.id,
            prompt.c.questions,
            prompt.c.position,
            select(target.c.id).scalar_subquery(),
            select(inserted.c.id).scalar_subquery(),
        )
        .select_from(one.outerjoin(prompt, true()))
        .add_cte(moved)
    )


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
    """PostgreSQL: INSERT the message ON CONFLICT DO NOTHING RETURNING id, and in the same
    statement UPDATE the prompt's position only if that INSERT returned a row."""
    inserted = (
        pg_insert(ReflectionAnswer)
        .values({column: bindparam(column) for column in _MESSAGE_COLUMNS})
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
    return select(inserted.c.id).add_cte(moved)


_ANSWER_AND_ADVANCE = _answer_and_advance()
_ANSWER_NEXT = _answer_next_statement()


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
