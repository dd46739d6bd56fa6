"""Reflection prompts and answers. Answers are keyed by the Slack message they came from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from storage.db import core_connection, dialect_insert
from storage.models import PromptStatus, ReflectionAnswer, ReflectionPrompt

OPEN = PromptStatus.OPEN.value


def ensure_prompts(
    session: Session, team_id: str, pair_id: int, wanted: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """The prompt ids for (milestone id, user id) pairs of one pair, each created once (no
    questions yet): one insert that skips those that exist, one read of their ids."""
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
    core_connection(session).execute(_insert_prompts(session.get_bind().dialect.name), values)
    rows = session.execute(
        select(ReflectionPrompt.milestone_id, ReflectionPrompt.user_id, ReflectionPrompt.id).where(
            ReflectionPrompt.pair_id == pair_id,
            ReflectionPrompt.milestone_id.in_({m for m, _ in wanted}),
        )
    )
    return {(m, u): i for m, u, i in rows}


@cache
def _insert_prompts(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into reflection_prompts, built once per dialect."""
    stmt: Any = dialect_insert(dialect, ReflectionPrompt)
    return stmt.on_conflict_do_nothing()


def open_prompt_for(
    session: Session, team_id: str, user_id: str, *, lock: bool = False
) -> ReflectionPrompt | None:
    """The person's oldest open prompt (the one their DM replies answer)."""
    stmt = (
        select(ReflectionPrompt)
        .where(
            ReflectionPrompt.team_id == team_id,
            ReflectionPrompt.user_id == user_id,
            ReflectionPrompt.status == OPEN,
        )
        .order_by(ReflectionPrompt.asked_at, ReflectionPrompt.id)
        .limit(1)
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def record_message(
    session: Session, *, team_id: str, user_id: str, channel: str, ts: str, now: datetime
) -> ReflectionAnswer | None:
    """Remember a DM once; None when this message was already seen (a redelivered event)."""
    values = {
        "team_id": team_id,
        "user_id": user_id,
        "channel": channel,
        "ts": ts,
        "created_at": now,
        "skipped": False,
        "deleted": False,
    }
    stmt = _insert_message(session.get_bind().dialect.name)
    inserted = core_connection(session).execute(stmt, values).scalar()
    if inserted is None:
        return None
    # The row as just inserted, in the session without reading it back.
    row = ReflectionAnswer(
        id=inserted,
        prompt_id=None,
        question_key=None,
        text=None,
        rating=None,
        edited_at=None,
        **values,
    )
    make_transient_to_detached(row)
    session.add(row)
    return row


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
