"""Reading and writing the overview snapshots (storage/overview_models.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import Workspace
from storage.overview_models import OverviewSnapshot


def read_snapshot(session: Session, team_id: str) -> OverviewSnapshot | None:
    """The workspace's snapshot, if it has one (one read by primary key)."""
    return session.get(OverviewSnapshot, team_id)


def save_snapshot(
    session: Session, team_id: str, computed_at: datetime, pairs: int, body: dict[str, Any]
) -> None:
    """Store (or replace) the workspace's snapshot."""
    values = {"team_id": team_id, "computed_at": computed_at, "pairs": pairs, "body": body}
    stmt: Any = dialect_insert(session.get_bind().dialect.name, OverviewSnapshot)
    update = {k: stmt.excluded[k] for k in ("computed_at", "pairs", "body")}
    session.execute(
        stmt.values(values).on_conflict_do_update(index_elements=["team_id"], set_=update)
    )


def drop_snapshot(session: Session, team_id: str) -> None:
    """Forget the workspace's snapshot (it became small enough to count live)."""
    session.execute(delete(OverviewSnapshot).where(OverviewSnapshot.team_id == team_id))


def stale_snapshots(session: Session, before: datetime, limit: int) -> list[str]:
    """Active workspaces whose snapshot was computed before `before`, oldest first."""
    inactive = select(Workspace.team_id).where(Workspace.status != "active")
    return list(
        session.scalars(
            select(OverviewSnapshot.team_id)
            .where(OverviewSnapshot.computed_at < before, OverviewSnapshot.team_id.not_in(inactive))
            .order_by(OverviewSnapshot.computed_at)
            .limit(limit)
        )
    )
