"""Queries on matching runs and their proposals. Each takes a Session and filters on `team_id`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.program_models import MatchProposal, MatchRun, RunStatus

DRAFT = RunStatus.DRAFT.value


def get_run(session: Session, team_id: str, run_id: int) -> MatchRun | None:
    """One run of this workspace."""
    stmt = select(MatchRun).where(MatchRun.team_id == team_id, MatchRun.id == run_id)
    return session.scalars(stmt).first()


def latest_run(session: Session, team_id: str, program_id: int) -> MatchRun | None:
    """A program's newest run, whatever its status."""
    stmt = (
        select(MatchRun)
        .where(MatchRun.team_id == team_id, MatchRun.program_id == program_id)
        .order_by(MatchRun.id.desc())
    )
    return session.scalars(stmt.limit(1)).first()


def create_run(
    session: Session,
    *,
    team_id: str,
    program_id: int,
    program_version: int,
    settings: dict[str, Any],
    ruled_out: list[dict[str, Any]],
    stats: dict[str, Any],
    started_by: str,
    now: datetime,
) -> MatchRun:
    """Store a new draft run; the program's earlier drafts are superseded by it."""
    session.execute(
        update(MatchRun)
        .where(
            MatchRun.team_id == team_id,
            MatchRun.program_id == program_id,
            MatchRun.status == DRAFT,
        )
        .values(status=RunStatus.SUPERSEDED.value)
        .execution_options(synchronize_session=False)
    )
    run = MatchRun(
        team_id=team_id,
        program_id=program_id,
        status=DRAFT,
        program_version=program_version,
        settings=settings,
        ruled_out=ruled_out,
        stats=stats,
        started_by=started_by,
        created_at=now,
    )
    session.add(run)
    session.flush()
    return run


def add_proposals(session: Session, rows: Sequence[MatchProposal]) -> None:
    """Store a run's proposals."""
    session.add_all(rows)
    session.flush()


def proposals_of(session: Session, team_id: str, run_id: int) -> list[MatchProposal]:
    """A run's proposals in display order."""
    stmt = select(MatchProposal).where(
        MatchProposal.team_id == team_id, MatchProposal.run_id == run_id
    )
    return list(session.scalars(stmt.order_by(MatchProposal.position, MatchProposal.id)))


def lock_proposals(session: Session, team_id: str, ids: Sequence[int]) -> list[MatchProposal]:
    """Some proposals in display order, row-locked on PostgreSQL (SQLite writers hold the
    database's write lock): two clicks publishing at once make each pair once."""
    stmt = select(MatchProposal).where(
        MatchProposal.team_id == team_id, MatchProposal.id.in_(list(ids))
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list(session.scalars(stmt.order_by(MatchProposal.position, MatchProposal.id)))


def get_proposal(session: Session, team_id: str, proposal_id: int) -> MatchProposal | None:
    """One proposal of this workspace."""
    stmt = select(MatchProposal).where(
        MatchProposal.team_id == team_id, MatchProposal.id == proposal_id
    )
    return session.scalars(stmt).first()


def claim_for_publishing(
    session: Session, team_id: str, run_id: int, by: str, now: datetime
) -> bool:
    """Mark a draft run published; False when it is not a draft any more (published by a click
    a moment ago, or superseded). The conditional update makes a double click publish once."""
    result = session.execute(
        update(MatchRun)
        .where(MatchRun.team_id == team_id, MatchRun.id == run_id, MatchRun.status == DRAFT)
        .values(status=RunStatus.PUBLISHED.value, published_at=now, published_by=by)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def proposal_for_pair(session: Session, team_id: str, pair_id: int) -> MatchProposal | None:
    """The published proposal that made a pair (None for a hand-made pair)."""
    stmt = select(MatchProposal).where(
        MatchProposal.team_id == team_id, MatchProposal.pair_id == pair_id
    )
    return session.scalars(stmt.limit(1)).first()
