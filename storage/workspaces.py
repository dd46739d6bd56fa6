"""Workspace install state: uninstalled workspaces keep their data but get no messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Workspace


def set_workspace_status(session: Session, team_id: str, status: str, now: datetime) -> None:
    """Record that a workspace installed ("active") or uninstalled the app."""
    row = session.get(Workspace, team_id)
    if row is None:
        row = Workspace(team_id=team_id)
        session.add(row)
    row.status = status
    if status == "active":
        row.installed_at, row.uninstalled_at = now, None
    else:
        row.uninstalled_at = now


def inactive_teams(session: Session) -> set[str]:
    """Teams that uninstalled the app (no row means active: single-workspace mode)."""
    return set(session.scalars(select(Workspace.team_id).where(Workspace.status != "active")))


def is_active(session: Session, team_id: str) -> bool:
    """False once the workspace uninstalled the app or revoked its token."""
    row = session.get(Workspace, team_id)
    return row is None or row.status == "active"
