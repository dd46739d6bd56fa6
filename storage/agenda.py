"""Queries on agenda items: topics either person added for their next session. Each takes a
Session and filters on the workspace; callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.notes_models import AgendaItem


def add_agenda_item(
    session: Session,
    *,
    team_id: str,
    pair_id: int,
    author_id: str,
    text: str,
    text_key: str,
    now: datetime,
) -> bool:
    """Add a topic for the pair's next session; False when the same person's same topic is
    already waiting (a double submit adds nothing)."""
    dialect = session.get_bind().dialect.name
    stmt: Any = dialect_insert(dialect, AgendaItem)
    values = {
        "team_id": team_id,
        "pair_id": pair_id,
        "author_id": author_id,
        "text": text,
        "text_key": text_key,
        "created_at": now,
    }
    result = session.execute(stmt.values(values).on_conflict_do_nothing().returning(AgendaItem.id))
    return result.first() is not None


def agenda_items(
    session: Session, team_id: str, pair_id: int, meeting_id: int | None = None
) -> list[AgendaItem]:
    """Topics still waiting for a session (and those covered by `meeting_id`), oldest first."""
    waiting: ColumnElement[bool] = AgendaItem.covered_meeting_id.is_(None)
    if meeting_id is not None:
        waiting = or_(waiting, AgendaItem.covered_meeting_id == meeting_id)
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.team_id == team_id, AgendaItem.pair_id == pair_id, waiting)
        .order_by(AgendaItem.created_at, AgendaItem.id)
    )
    return list(session.scalars(stmt))


def topics_for_sessions(
    session: Session, team_id: str, sessions: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[AgendaItem]]:
    """`agenda_items(pair, meeting)` for several (pair, meeting) sessions in one query."""
    if not sessions:
        return {}
    pair_ids = sorted({p for p, _ in sessions})
    meeting_ids = sorted({m for _, m in sessions})
    waiting = or_(
        AgendaItem.covered_meeting_id.is_(None), AgendaItem.covered_meeting_id.in_(meeting_ids)
    )
    stmt = (
        select(AgendaItem)
        .where(AgendaItem.team_id == team_id, AgendaItem.pair_id.in_(pair_ids), waiting)
        .order_by(AgendaItem.created_at, AgendaItem.id)
    )
    rows = list(session.scalars(stmt))
    return {
        (p, m): [
            r
            for r in rows
            if r.pair_id == p and (r.covered_meeting_id is None or r.covered_meeting_id == m)
        ]
        for p, m in sessions
    }


def cover_agenda(
    session: Session, team_id: str, pair_id: int, meeting_id: int, before: datetime
) -> int:
    """The session was held: topics added before it started count as covered by it (topics
    added later wait for the next one). Returns how many."""
    result = session.execute(
        update(AgendaItem)
        .where(
            AgendaItem.team_id == team_id,
            AgendaItem.pair_id == pair_id,
            AgendaItem.covered_meeting_id.is_(None),
            AgendaItem.created_at <= before,
        )
        .values(covered_meeting_id=meeting_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
