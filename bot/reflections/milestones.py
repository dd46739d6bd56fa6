"""Planning milestones through the outbox: reflection prompts, one reminder, announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.config import ReflectionConfig
from bot.core.services import Services
from bot.domain.schedule import checkpoint_label, resolve_local
from bot.domain.timing import followup_due
from storage import keys
from storage.models import DeliveryKind, Milestone
from storage.outbox import NewDelivery
from storage.pairs import AnyMilestone, AnyPair
from storage.reflections import ensure_prompts

PROMPT_HOUR = time(10, 0)


def milestone_instant(pair: AnyPair, milestone: AnyMilestone, tz: str) -> datetime:
    """When a milestone's messages go out for a reader in `tz`.

    Kickoff and final review follow that day's meeting (two hours after it starts, in waking
    hours); checkpoints arrive at 10:00 in the reader's zone on their date.
    """
    if milestone.kind in ("kickoff", "final_review"):
        meeting = resolve_local(milestone.due_date, pair.meeting_time, pair.tz)
        return followup_due(meeting, tz)
    return resolve_local(milestone.due_date, PROMPT_HOUR, tz)


@dataclass(frozen=True)
class Asks:
    """Which milestones up to a horizon a pair's planning covers, and each prompt it asks:
    (milestone, person, when)."""

    milestones: list[AnyMilestone]
    asks: list[tuple[AnyMilestone, str, datetime]]

    @property
    def prompts(self) -> list[tuple[int, str]]:
        """The prompts these asks need, as (milestone id, user id)."""
        return [(m.id, user_id) for m, user_id, _ in self.asks]


def plan_milestones(
    session: Session,
    services: Services,
    pair: AnyPair,
    zones: dict[str, str],
    now: datetime,
    horizon: datetime,
) -> list[NewDelivery]:
    """Prompts, reminders and (when opted in) announcements for milestones up to `horizon`."""
    asks = milestone_asks(services, pair, zones, now, horizon)
    prompt_ids = ensure_prompts(session, pair.team_id, pair.id, asks.prompts)
    return milestone_rows(services, pair, asks, prompt_ids, now, horizon)


def milestone_asks(
    services: Services, pair: AnyPair, zones: dict[str, str], now: datetime, horizon: datetime
) -> Asks:
    """What `plan_milestones` plans, before its prompts exist."""
    window = timedelta(days=services.config.reflection.window_days)
    # A milestone's messages go out on its date in some zone: one dated two days or more
    # after the horizon's (UTC) date is past the horizon wherever its readers are.
    last_date = (horizon + timedelta(days=1)).date()
    milestones = [m for m in pair.milestones if m.completed_at is None and m.due_date <= last_date]
    asks = [
        (milestone, user_id, due)
        for milestone in milestones
        for user_id in (pair.mentee_id, pair.mentor_id)
        for due in [milestone_instant(pair, milestone, zones.get(user_id, pair.tz))]
        if due <= horizon and due + window >= now
    ]
    return Asks(milestones, asks)


def milestone_rows(
    services: Services,
    pair: AnyPair,
    asks: Asks,
    prompt_ids: dict[tuple[int, str], int],
    now: datetime,
    horizon: datetime,
) -> list[NewDelivery]:
    """`plan_milestones`' outbox rows, given the ids of the prompts its `asks` need."""
    cfg = services.config.reflection
    rows: list[NewDelivery] = []
    for milestone in asks.milestones:
        for asked, user_id, due in asks.asks:
            if asked is milestone:
                rows += _prompt_rows(pair, milestone, user_id, due, prompt_ids, now, cfg)
        if not (pair.announce and pair.announce_channel):
            continue
        due = milestone_instant(pair, milestone, pair.tz)
        if due <= horizon:
            rows.append(
                NewDelivery(
                    team_id=pair.team_id,
                    kind=DeliveryKind.ANNOUNCEMENT,
                    recipient_id=pair.announce_channel,
                    occurrence_key=keys.announcement(milestone.id),
                    due_at=max(due, now),
                    pair_id=pair.id,
                    expires_at=due + timedelta(days=2),
                    payload={"milestone_id": milestone.id},
                )
            )
    return rows


def _prompt_rows(
    pair: AnyPair,
    milestone: AnyMilestone,
    user_id: str,
    due: datetime,
    prompt_ids: dict[tuple[int, str], int],
    now: datetime,
    cfg: ReflectionConfig,
) -> list[NewDelivery]:
    """One person's prompt at a milestone and its reminder."""
    prompt_id = prompt_ids[(milestone.id, user_id)]
    expires = due + timedelta(days=cfg.window_days)
    return [
        NewDelivery(
            team_id=pair.team_id,
            kind=DeliveryKind.REFLECTION_PROMPT,
            recipient_id=user_id,
            occurrence_key=keys.prompt(prompt_id),
            due_at=max(due, now),
            pair_id=pair.id,
            expires_at=expires,
            payload={"prompt_id": prompt_id, "milestone_id": milestone.id},
        ),
        NewDelivery(
            team_id=pair.team_id,
            kind=DeliveryKind.REFLECTION_REMINDER,
            recipient_id=user_id,
            occurrence_key=keys.reminder(prompt_id),
            due_at=due + timedelta(hours=cfg.reminder_hours),
            pair_id=pair.id,
            expires_at=expires,
            payload={"prompt_id": prompt_id},
        ),
    ]


def mark_milestone(session: Session, milestone_id: int, column: str, now: datetime) -> None:
    """Set completed_at / announced_at once."""
    target = getattr(Milestone, column)
    session.execute(
        update(Milestone)
        .where(Milestone.id == milestone_id, target.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )


def milestone_label(session: Session, milestone: Milestone) -> str:
    """ "Kickoff", "Checkpoint 2 of 4" / "The halfway checkpoint", "Final review"."""
    if milestone.kind == "kickoff":
        return "Kickoff"
    if milestone.kind == "final_review":
        return "Final review"
    total = session.scalar(
        select(func.count())
        .select_from(Milestone)
        .where(Milestone.pair_id == milestone.pair_id, Milestone.kind == "checkpoint")
    )
    label = checkpoint_label(milestone.index, int(total or 1))
    return label[0].upper() + label[1:]
