"""Program admins added from Slack (`/mentorship admins`), kept beside `[program] admins`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.models import ProgramAdmin


def is_program_admin(session: Session, team_id: str, user_id: str) -> bool:
    """True when someone added `user_id` as a program admin of the workspace in Slack."""
    return session.get(ProgramAdmin, (team_id, user_id)) is not None


def program_admins(session: Session, team_id: str) -> list[ProgramAdmin]:
    """The workspace's program admins added in Slack, oldest first."""
    stmt = (
        select(ProgramAdmin)
        .where(ProgramAdmin.team_id == team_id)
        .order_by(ProgramAdmin.added_at, ProgramAdmin.user_id)
    )
    return list(session.scalars(stmt))


def add_program_admin(
    session: Session, team_id: str, user_id: str, added_by: str, now: datetime
) -> bool:
    """Add a program admin; False when they were one already (nothing changes)."""
    values = {"team_id": team_id, "user_id": user_id, "added_by": added_by, "added_at": now}
    return insert_ignore(session, ProgramAdmin, values)


def remove_program_admin(session: Session, team_id: str, user_id: str) -> bool:
    """Remove a program admin added in Slack; False when there was none."""
    result = session.execute(
        delete(ProgramAdmin).where(ProgramAdmin.team_id == team_id, ProgramAdmin.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))
