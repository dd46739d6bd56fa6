"""Re-timing a pair's waiting messages after its plan or a participant's time zone changed.

Rows keep their occurrence keys (so nothing is planned twice); only `due_at` and `expires_at`
are recomputed with the same rules the planner used, from the data as it is now.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.timing import FOLLOWUP_WINDOW, followup_due, nudge_due
from bot.reflections.milestones import milestone_instant
from storage.models import (
    MEETING_KINDS,
    Delivery,
    DeliveryKind,
    Meeting,
    Milestone,
    Pair,
    ReflectionPrompt,
)
from storage.outbox import CANCELLED, pending_rows
from storage.people import zones_for

ANNOUNCE_WINDOW = timedelta(days=2)
MILESTONE_KINDS = (
    DeliveryKind.REFLECTION_PROMPT,
    DeliveryKind.REFLECTION_REMINDER,
    DeliveryKind.ANNOUNCEMENT,
)
TIMED_KINDS = (*MEETING_KINDS, *MILESTONE_KINDS)


def _milestone(session: Session, row: Delivery) -> Milestone | None:
    milestone_id = row.payload.get("milestone_id")
    if milestone_id is None and row.payload.get("prompt_id") is not None:
        prompt = session.get(ReflectionPrompt, int(row.payload["prompt_id"]))
        milestone_id = prompt.milestone_id if prompt is not None else None
    return session.get(Milestone, int(milestone_id)) if milestone_id is not None else None


def timing(
    session: Session, services: Services, pair: Pair, row: Delivery, tz: str, now: datetime
) -> tuple[datetime, datetime] | None:
    """(due_at, expires_at) for a pending row as the planner would set them now; None to keep."""
    cfg = services.config
    if row.kind in MEETING_KINDS:
        meeting = session.get(Meeting, int(row.payload.get("meeting_id", 0)))
        if meeting is None:
            return None
        at = meeting.scheduled_at
        if row.kind == DeliveryKind.NUDGE:
            lead = timedelta(hours=cfg.scheduler.nudge_lead_hours)
            return nudge_due(at, lead, tz, not_before=now), at
        after = followup_due(at, tz)
        return after, after + FOLLOWUP_WINDOW
    milestone = _milestone(session, row)
    if milestone is None:
        return None
    window = timedelta(days=cfg.reflection.window_days)
    if row.kind == DeliveryKind.ANNOUNCEMENT:
        base = milestone_instant(pair, milestone, pair.tz)
        return max(base, now), base + ANNOUNCE_WINDOW
    base = milestone_instant(pair, milestone, tz)
    if row.kind == DeliveryKind.REFLECTION_PROMPT:
        return max(base, now), base + window
    if row.kind == DeliveryKind.REFLECTION_REMINDER:
        return base + timedelta(hours=cfg.reflection.reminder_hours), base + window
    return None


def cancel_orphans(session: Session, pair: Pair) -> int:
    """Cancel waiting prompts, reminders and announcements whose milestone no longer exists."""
    cancelled = 0
    for row in pending_rows(session, pair.team_id, pair.id, MILESTONE_KINDS):
        if _milestone(session, row) is None:
            row.status, row.last_error = CANCELLED, "milestone removed from the plan"
            cancelled += 1
    return cancelled


def retime_pending(
    session: Session,
    services: Services,
    pair: Pair,
    recipients: Collection[str] | None = None,
    *,
    kinds: Collection[str] = TIMED_KINDS,
    not_before: datetime | None = None,
) -> int:
    """Recompute when a pair's waiting messages go out (for `recipients`, or everyone), no
    earlier than `not_before` (default: now)."""
    now = not_before or services.clock.now()
    zones = zones_for(session, pair)
    moved = 0
    for row in pending_rows(session, pair.team_id, pair.id, kinds):
        if recipients is not None and row.recipient_id not in recipients:
            continue
        found = timing(session, services, pair, row, zones.get(row.recipient_id, pair.tz), now)
        if found is not None and (row.due_at, row.expires_at) != found:
            row.due_at, row.expires_at = found
            moved += 1
    return moved
