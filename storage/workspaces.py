"""Workspace install state: uninstalled workspaces keep their data but get no messages, until an
operator purges it (never automatic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from storage.db import insert_ignore
from storage.document_models import CalendarFeed
from storage.models import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    Base,
    Delivery,
    HomeIntro,
    Pair,
    Person,
    ProgramAdmin,
    ReflectionAnswer,
    Workspace,
)
from storage.overview_models import OverviewSnapshot
from storage.program_models import (
    Enrolment,
    Exclusion,
    MatchProposal,
    MatchRun,
    Program,
    ProgramLead,
)

# last_error of the pending messages a stop cancelled; a reactivation sends them after all.
STOPPED = "workspace stopped"
EARLIER_STOPS = ("app uninstalled", "bot token revoked")  # written before the prefix existed


def stop_workspace_rows(session: Session, team_id: str, reason: str, now: datetime) -> int:
    """Mark the workspace stopped and cancel its pending messages; return how many."""
    set_workspace_status(session, team_id, "uninstalled", now)
    cancelled = session.execute(
        update(Delivery)
        .where(Delivery.team_id == team_id, Delivery.status == "pending")
        .values(status="cancelled", last_error=f"{STOPPED}: {reason}")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(cancelled, "rowcount", 0) or 0)


def reactivate_workspace(session: Session, team_id: str, now: datetime) -> int:
    """The workspace is back: messages the stop cancelled are pending again (the dispatcher
    expires the ones whose moment passed and collapses overdue nudges) and every pair is
    planned again. Return how many messages were revived; none was ever sent, so none can
    go out twice."""
    set_workspace_status(session, team_id, "active", now)
    session.execute(update(Pair).where(Pair.team_id == team_id).values(planned_until=None))
    revived = session.execute(
        update(Delivery)
        .where(
            Delivery.team_id == team_id,
            Delivery.status == "cancelled",
            or_(Delivery.last_error.startswith(STOPPED), Delivery.last_error.in_(EARLIER_STOPS)),
        )
        .values(status="pending", last_error=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(revived, "rowcount", 0) or 0)


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


def first_seen(session: Session, team_id: str, now: datetime) -> bool:
    """Record a workspace the bot hears from; True only the first time ever (it was unknown:
    no install, no stop, no data from before revision 0005)."""
    values = {"team_id": team_id, "status": "active", "installed_at": now}
    return insert_ignore(session, Workspace, values)


def installed(session: Session, team_id: str) -> bool:
    """The app is installed there: an OAuth installation is stored, or the workspace is known
    and has not uninstalled the app (single-token mode)."""
    bots = session.execute(
        text(f"SELECT 1 FROM {BOTS_TABLE} WHERE team_id = :t LIMIT 1"), {"t": team_id}
    ).first()
    row = session.get(Workspace, team_id)
    return bots is not None or (row is not None and row.status == "active")


def inactive_teams(session: Session) -> set[str]:
    """Teams that uninstalled the app (no row means active: single-workspace mode)."""
    return set(session.scalars(select(Workspace.team_id).where(Workspace.status != "active")))


def workspace_status(session: Session, team_id: str) -> str | None:
    """ "active", "uninstalled", or None for a workspace never recorded."""
    row = session.get(Workspace, team_id)
    return None if row is None else row.status


def is_active(session: Session, team_id: str) -> bool:
    """False once the workspace uninstalled the app or revoked its token."""
    row = session.get(Workspace, team_id)
    return row is None or row.status == "active"


def installed_bots(session: Session) -> dict[str, tuple[str, frozenset[str]]]:
    """OAuth installs: each workspace's newest bot installation, as team id -> (team name,
    granted bot scopes)."""
    bots = Base.metadata.tables[BOTS_TABLE]
    rows = session.execute(
        select(bots.c.team_id, bots.c.team_name, bots.c.bot_scopes).order_by(
            bots.c.installed_at, bots.c.id
        )
    ).all()
    newest = {}
    for team_id, team_name, scopes in rows:  # later rows (newer installs) win
        granted = frozenset(s.strip() for s in str(scopes or "").split(",") if s.strip())
        newest[str(team_id)] = (str(team_name or team_id), granted)
    return newest


def purge_team(session: Session, team_id: str) -> dict[str, int]:
    """Delete every row of one workspace; return counts per table."""
    counts: dict[str, int] = {}
    # Goals, milestones, meetings, prompts and their answers, deliveries, sessions and pair
    # documents go with their pair. Proposals point at pairs, and enrolments and runs at
    # programs: they go first.
    models: tuple[type[Base], ...] = (ReflectionAnswer, Delivery, MatchProposal, MatchRun)
    models += (Exclusion, Enrolment, ProgramLead, Pair, Program, CalendarFeed, Person)
    models += (ProgramAdmin, HomeIntro, OverviewSnapshot, Workspace)
    for model in models:
        rows = Base.metadata.tables[model.__tablename__]
        result = session.execute(delete(rows).where(rows.c.team_id == team_id))
        counts[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
    for table in (INSTALLATIONS_TABLE, BOTS_TABLE):
        result = session.execute(text(f"DELETE FROM {table} WHERE team_id = :t"), {"t": team_id})
        counts[table] = int(getattr(result, "rowcount", 0) or 0)
    return counts
