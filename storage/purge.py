"""Removing a workspace's data for good (an operator's decision, never automatic)."""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from storage.models import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    Delivery,
    Pair,
    Person,
    ReflectionAnswer,
    Workspace,
)


def purge_team(session: Session, team_id: str) -> dict[str, int]:
    """Delete every row of one workspace; return counts per table."""
    counts: dict[str, int] = {}
    # Goals, milestones, meetings, prompts and their answers and deliveries go with their pair.
    for model in (ReflectionAnswer, Delivery, Pair, Person, Workspace):
        result = session.execute(delete(model).where(model.team_id == team_id))
        counts[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
    for table in (INSTALLATIONS_TABLE, BOTS_TABLE):
        result = session.execute(text(f"DELETE FROM {table} WHERE team_id = :t"), {"t": team_id})
        counts[table] = int(getattr(result, "rowcount", 0) or 0)
    return counts
