"""Queries behind pausing, ending and editing a pair: dropping meetings, finding pending rows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from storage.meetings import UPCOMING
from storage.models import Delivery, Meeting, Pair
from storage.outbox import CANCELLED, PENDING, cancel_for_meeting

CANCELLED_MEETING = "cancelled"  # dropped by a pause, an end or a plan edit; never "missed"


def series_slot(meeting: Meeting) -> str:
    """The slot of the plan's series a meeting fills (a moved meeting keeps its original slot)."""
    return meeting.occurrence_key.split(">")[0]


def cancel_future_meetings(
    session: Session,
    team_id: str,
    pair_id: int,
    *,
    after: datetime,
    before: datetime | None = None,
    keep_slots: Collection[str] | None = None,
    reason: str,
) -> int:
    """Mark a pair's unanswered meetings after `after` (and before `before`) `cancelled`, except
    those whose series slot is in `keep_slots`, and cancel their unsent nudges and follow-ups.

    Rows are kept rather than deleted: SQLite reuses the highest row id, and a sent nudge's
    buttons must never come to point at some other meeting.
    """
    stmt = select(Meeting).where(
        Meeting.team_id == team_id,
        Meeting.pair_id == pair_id,
        Meeting.status == UPCOMING,
        Meeting.scheduled_at > after,
    )
    if before is not None:
        stmt = stmt.where(Meeting.scheduled_at < before)
    dropped = [
        m for m in session.scalars(stmt) if keep_slots is None or series_slot(m) not in keep_slots
    ]
    for meeting in dropped:
        meeting.status = CANCELLED_MEETING
        cancel_for_meeting(session, team_id, meeting.id, reason)
    return len(dropped)


def revive_meetings(
    session: Session, team_id: str, pair_id: int, *, after: datetime, slots: Collection[str]
) -> int:
    """Cancelled future meetings whose series slot is in `slots` become upcoming again; their
    never-sent messages are removed so the planner can plan them afresh under the same keys
    (a message already sent keeps its key, so it is never sent twice)."""
    revived = [
        m
        for m in session.scalars(
            select(Meeting).where(
                Meeting.team_id == team_id,
                Meeting.pair_id == pair_id,
                Meeting.status == CANCELLED_MEETING,
                Meeting.scheduled_at > after,
            )
        )
        if series_slot(m) in slots
    ]
    for meeting in revived:
        meeting.status = UPCOMING
        session.execute(
            delete(Delivery)
            .where(
                Delivery.team_id == team_id,
                Delivery.pair_id == pair_id,
                Delivery.status == CANCELLED,
                Delivery.sent_at.is_(None),
                Delivery.kind.in_(("nudge", "followup")),
                Delivery.occurrence_key.like(f"%:{meeting.id}:%"),
            )
            .execution_options(synchronize_session=False)
        )
    return len(revived)


def pending_rows(
    session: Session, team_id: str, pair_id: int, kinds: Collection[str] | None = None
) -> list[Delivery]:
    """A pair's deliveries that have not been handed to Slack yet."""
    stmt = select(Delivery).where(
        Delivery.team_id == team_id, Delivery.pair_id == pair_id, Delivery.status == PENDING
    )
    if kinds:
        stmt = stmt.where(Delivery.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Delivery.due_at, Delivery.id)))


def pending_prompts_for(session: Session, team_id: str, user_id: str) -> list[Delivery]:
    """A person's reflection prompts waiting in the outbox, soonest first."""
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.team_id == team_id,
                Delivery.recipient_id == user_id,
                Delivery.kind == "reflection_prompt",
                Delivery.status == PENDING,
            )
            .order_by(Delivery.due_at, Delivery.id)
        )
    )


def lock_pair(session: Session, team_id: str, pair_id: int) -> Pair | None:
    """A pair of this workspace, row-locked on PostgreSQL (SQLite callers hold the write lock)."""
    stmt = (
        select(Pair)
        .where(Pair.team_id == team_id, Pair.id == pair_id)
        .options(selectinload(Pair.goals), selectinload(Pair.milestones))
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Pair)
    return session.scalars(stmt).first()


def last_cancelled_at(
    session: Session, team_id: str, pair_id: int, after: datetime
) -> datetime | None:
    """The latest cancelled meeting of a pair after `after` (None when there is none)."""
    return session.scalar(
        select(func.max(Meeting.scheduled_at)).where(
            Meeting.team_id == team_id,
            Meeting.pair_id == pair_id,
            Meeting.status == CANCELLED_MEETING,
            Meeting.scheduled_at > after,
        )
    )
