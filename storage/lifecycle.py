"""Queries behind pausing, ending and editing a pair: dropping meetings, finding pending rows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.meetings import UPCOMING
from storage.models import Delivery, Meeting
from storage.outbox import PENDING, cancel_for_meeting


def series_slot(meeting: Meeting) -> str:
    """The slot of the plan's series a meeting fills (a moved meeting keeps its original slot)."""
    return meeting.occurrence_key.split(">")[0]


def drop_future_meetings(
    session: Session,
    team_id: str,
    pair_id: int,
    *,
    after: datetime,
    before: datetime | None = None,
    keep_slots: Collection[str] | None = None,
    reason: str,
) -> int:
    """Delete a pair's unanswered meetings after `after` (and before `before`), except those whose
    series slot is in `keep_slots`; their unsent nudges and follow-ups are cancelled first.

    Deliveries refer to meetings only through their payload and key, so nothing dangles; a later
    plan for the same slot creates a fresh meeting whose messages get fresh keys.
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
        cancel_for_meeting(session, team_id, meeting.id, reason)
    if dropped:
        session.execute(
            delete(Meeting)
            .where(Meeting.id.in_([m.id for m in dropped]))
            .execution_options(synchronize_session=False)
        )
    return len(dropped)


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


def hold_until(session: Session, team_id: str, pair_id: int, kind: str, until: datetime) -> int:
    """Move a pair's pending rows of `kind` due before `until` to `until` (they wait out a pause)."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.team_id == team_id,
            Delivery.pair_id == pair_id,
            Delivery.kind == kind,
            Delivery.status == PENDING,
            Delivery.due_at < until,
        )
        .values(due_at=until)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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
