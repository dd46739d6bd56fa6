"""Modal submissions taken once: Slack's view id is the key, so a replay changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import ViewSubmission


def already_submitted(session: Session, team_id: str, view_id: str) -> bool:
    """True when this view's submission was taken before."""
    return session.get(ViewSubmission, (team_id, view_id)) is not None


def first_submission(
    session: Session, *, team_id: str, view_id: str, callback_id: str, now: datetime
) -> bool:
    """Record that this view was submitted; False when it already was (a replay or a double
    submission). Runs in the caller's transaction, so it counts only if the change commits."""
    values = {
        "team_id": team_id,
        "view_id": view_id,
        "callback_id": callback_id,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    stmt: Any = dialect_insert(dialect, ViewSubmission)
    inserted = session.execute(
        stmt.values(**values).on_conflict_do_nothing().returning(ViewSubmission.view_id)
    ).first()
    return inserted is not None
