"""Planning milestones through the outbox: reflection prompts, one reminder, announcements."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.schedule import resolve_local
from bot.domain.timing import followup_due
from bot.reflections.conversation import close_prompt
from storage.models import Milestone, Pair
from storage.outbox import NewDelivery, add_deliveries, cancel_for_pair
from storage.reflections import ensure_prompt, expire_prompts

PROMPT_HOUR = time(10, 0)


def milestone_instant(pair: Pair, milestone: Milestone, tz: str) -> datetime:
    """When a milestone's messages go out for a reader in `tz`.

    Kickoff and final review follow that day's meeting (two hours after it starts, in waking
    hours); checkpoints arrive at 10:00 in the reader's zone on their date.
    """
    if milestone.kind in ("kickoff", "final_review"):
        meeting = resolve_local(milestone.due_date, pair.meeting_time, pair.tz)
        return followup_due(meeting, tz)
    return resolve_local(milestone.due_date, PROMPT_HOUR, tz)


def plan_milestones(
    session: Session,
    services: Services,
    pair: Pair,
    zones: dict[str, str],
    now: datetime,
    horizon: datetime,
) -> list[NewDelivery]:
    """Prompts, reminders and (when opted in) announcements for milestones up to `horizon`."""
    cfg = services.config.reflection
    rows: list[NewDelivery] = []
    milestones = session.scalars(
        select(Milestone).where(Milestone.pair_id == pair.id, Milestone.completed_at.is_(None))
    ).all()
    for milestone in milestones:
        for user_id in (pair.mentee_id, pair.mentor_id):
            tz = zones.get(user_id, pair.tz)
            due = milestone_instant(pair, milestone, tz)
            if due > horizon or due + timedelta(days=cfg.window_days) < now:
                continue
            prompt = ensure_prompt(
                session,
                team_id=pair.team_id,
                pair_id=pair.id,
                milestone_id=milestone.id,
                user_id=user_id,
                questions=[],
            )
            rows.append(
                NewDelivery(
                    team_id=pair.team_id,
                    kind="reflection_prompt",
                    recipient_id=user_id,
                    occurrence_key=f"prompt:{prompt.id}",
                    due_at=max(due, now),
                    pair_id=pair.id,
                    expires_at=due + timedelta(days=cfg.window_days),
                    payload={"prompt_id": prompt.id, "milestone_id": milestone.id},
                )
            )
            remind_at = due + timedelta(hours=cfg.reminder_hours)
            rows.append(
                NewDelivery(
                    team_id=pair.team_id,
                    kind="reflection_reminder",
                    recipient_id=user_id,
                    occurrence_key=f"remind:{prompt.id}",
                    due_at=remind_at,
                    pair_id=pair.id,
                    expires_at=due + timedelta(days=cfg.window_days),
                    payload={"prompt_id": prompt.id},
                )
            )
        due = milestone_instant(pair, milestone, pair.tz)
        if pair.announce and pair.announce_channel and due <= horizon:
            rows.append(
                NewDelivery(
                    team_id=pair.team_id,
                    kind="announcement",
                    recipient_id=pair.announce_channel,
                    occurrence_key=f"announce:{milestone.id}",
                    due_at=max(due, now),
                    pair_id=pair.id,
                    expires_at=due + timedelta(days=2),
                    payload={"milestone_id": milestone.id},
                )
            )
    return rows


def complete_finished_pairs(session: Session, services: Services, today: date) -> list[int]:
    """Pairs past their end date become completed; their remaining nudges are cancelled."""
    done = session.scalars(
        select(Pair).where(Pair.status.in_(("active", "paused")), Pair.end_date < today)
    ).all()
    for pair in done:
        pair.status = "completed"
        pair.updated_at = services.clock.now()
        cancel_for_pair(
            session, pair.team_id, pair.id, "mentorship completed", ("nudge", "followup")
        )
    return [p.id for p in done]


def sweep_prompts(session: Session, services: Services) -> int:
    """Expire open prompts past their window (a final review's expiry still sends the summary)."""
    now = services.clock.now()
    expired = expire_prompts(session, now)
    for prompt in expired:
        close_prompt(session, prompt, "expired", services)
    return len(expired)


def mark_milestone(session: Session, milestone_id: int, column: str, now: datetime) -> None:
    """Set completed_at / announced_at once."""
    target = getattr(Milestone, column)
    session.execute(
        update(Milestone)
        .where(Milestone.id == milestone_id, target.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )


def queue(session: Session, rows: list[NewDelivery], now: datetime) -> int:
    """Add planned rows to the outbox."""
    return add_deliveries(session, rows, now)
