"""Queries on meetings: planned slots, answers, reschedules."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, case, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from storage import keys
from storage.db import core_connection, dialect_insert, inserted_rows
from storage.models import Delivery, DeliveryStatus, Meeting, MeetingStatus, UTCDateTime
from storage.outbox import cancel_for_meeting

UPCOMING = MeetingStatus.UPCOMING.value
CANCELLED_MEETING = MeetingStatus.CANCELLED.value


def slot_key(instant: datetime) -> str:
    """The series slot a meeting fills, from its planned UTC instant."""
    return instant.strftime("%Y%m%dT%H%MZ")


def ensure_meetings(
    session: Session, team_id: str, pair_id: int, instants: Sequence[datetime]
) -> list[tuple[int, datetime]]:
    """Create the meetings for planned slots, ignoring those that exist (one statement); the
    (id, scheduled_at) of those it created."""
    if not instants:
        return []
    values = [
        {
            "team_id": team_id,
            "pair_id": pair_id,
            "occurrence_key": slot_key(i),
            "scheduled_at": i,
            "status": UPCOMING,
        }
        for i in instants
    ]
    conn = core_connection(session)
    stmt = _insert_slots(conn.dialect.name)
    return [(i, at) for i, at in inserted_rows(conn, stmt, values, results=("scheduled_at",))]


@cache
def _insert_slots(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into meetings RETURNING what it made, once per dialect."""
    stmt: Any = dialect_insert(dialect, Meeting)
    return stmt.on_conflict_do_nothing().returning(Meeting.id, Meeting.scheduled_at)


def get_meeting(session: Session, team_id: str, meeting_id: int) -> Meeting | None:
    """One meeting of this workspace."""
    meeting = session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.team_id == team_id else None


def answer_meeting(
    session: Session, meeting_id: int, status: str, user_id: str, now: datetime
) -> bool:
    """Record held/skipped once; False when the meeting already had an answer."""
    result = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.status == UPCOMING)
        .values(status=status, answered_by=user_id, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def reschedule_meeting(
    session: Session, meeting: Meeting, new_at: datetime, user_id: str, now: datetime
) -> Meeting | None:
    """Mark a meeting rescheduled and create its replacement; None if already answered."""
    moved = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.status == UPCOMING)
        .values(status=MeetingStatus.RESCHEDULED.value, answered_by=user_id, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(moved, "rowcount", 0):
        return None
    # The replaced meeting's id keeps the key unique when a meeting is moved back to a time
    # an earlier replacement of the same slot already had (A -> B -> C -> B).
    slot = series_slot(meeting)
    replacement = Meeting(
        team_id=meeting.team_id,
        pair_id=meeting.pair_id,
        occurrence_key=f"{slot}>{slot_key(new_at)}#{meeting.id}",
        scheduled_at=new_at,
        status=UPCOMING,
    )
    session.add(replacement)
    session.flush()
    return replacement


def meeting_counts(session: Session, pair_id: int) -> dict[str, int]:
    """How many of a pair's meetings are in each status."""
    stmt = (
        select(Meeting.status, func.count())
        .where(Meeting.pair_id == pair_id)
        .group_by(Meeting.status)
    )
    return {status: int(n) for status, n in session.execute(stmt).all()}


def upcoming_meetings(session: Session, pair_id: int, after: datetime) -> list[Meeting]:
    """A pair's upcoming meetings after an instant, soonest first."""
    stmt = (
        select(Meeting)
        .where(
            Meeting.pair_id == pair_id,
            Meeting.status == UPCOMING,
            Meeting.scheduled_at > after,
        )
        .order_by(Meeting.scheduled_at)
    )
    return list(session.scalars(stmt))


def next_planned(session: Session, pair_ids: Sequence[int], after: datetime) -> dict[int, datetime]:
    """Per pair: its soonest upcoming meeting after an instant (pairs with none are left out);
    one query for many pairs (a Home with many of them)."""
    if not pair_ids:
        return {}
    stmt = (
        select(Meeting.pair_id, type_coerce(func.min(Meeting.scheduled_at), UTCDateTime()))
        .where(
            Meeting.pair_id.in_(list(pair_ids)),
            Meeting.status == UPCOMING,
            Meeting.scheduled_at > after,
        )
        .group_by(Meeting.pair_id)
    )
    return {pair_id: at for pair_id, at in session.execute(stmt) if at is not None}


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
        cancel_for_meeting(session, team_id, pair_id, meeting.id, reason)
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
                Delivery.status == DeliveryStatus.CANCELLED,
                Delivery.sent_at.is_(None),
                keys.of_meeting(meeting.id),
            )
            .execution_options(synchronize_session=False)
        )
    return len(revived)


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


def meetings_before(
    session: Session, team_id: str, meeting_ids: Collection[int]
) -> dict[int, tuple[int, int]]:
    """For each meeting: how many of its pair's meetings come before it, and how many of those
    (in workspace `team_id`) were held; in one query."""
    if not meeting_ids:
        return {}
    this, earlier = aliased(Meeting), aliased(Meeting)
    held = and_(earlier.status == MeetingStatus.HELD.value, earlier.team_id == team_id)
    stmt = (
        select(this.id, func.count(earlier.id), func.count(case((held, earlier.id))))
        .select_from(this)
        .outerjoin(
            earlier,
            and_(earlier.pair_id == this.pair_id, earlier.scheduled_at < this.scheduled_at),
        )
        .where(this.id.in_(sorted(meeting_ids)))
        .group_by(this.id)
    )
    return {int(i): (int(n), int(h)) for i, n, h in session.execute(stmt)}
