"""The planner: writes the coming weeks of deliveries into the outbox, idempotently."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.schedule import occurrences_utc
from bot.meetings.planning import meeting_deliveries
from bot.pairs.lifecycle import complete_finished_pairs
from bot.reflections.milestones import milestone_asks, milestone_rows, plan_milestones
from bot.reflections.prompts import sweep_prompts
from storage.db import core_connection, driver_statement
from storage.meetings import UPCOMING, ensure_meetings
from storage.models import Meeting, Pair, PairStatus, Workspace
from storage.new_plans import claim_first_planning
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import CLAIM_FIRST_PLANNING, AnyPair, meeting_rule
from storage.people import zones_for

log = logging.getLogger(__name__)


def pair_rows(
    session: Session,
    pair: AnyPair,
    now: datetime,
    horizon: datetime,
    lead: timedelta,
    services: Services | None = None,
    zones: dict[str, str] | None = None,
    *,
    first: bool = False,
) -> list[NewDelivery]:
    """Materialise a pair's meetings (and its milestones' prompts) up to `horizon`; the outbox
    rows for them, for the caller to add (`add_deliveries`: one insert for many pairs).
    `zones` (each person's time zone) when the caller knows them, else read from the cache;
    `first` for a pair never planned (it has no meetings yet). The caller records the horizon
    (`planned_until`)."""
    instants = occurrences_utc(meeting_rule(pair), after=now, until=horizon)
    created = ensure_meetings(session, pair.team_id, pair.id, instants)
    meetings: Iterable[Meeting]
    if first:  # a new pair has no meetings but those just made: nothing to read back
        meetings = [Meeting(id=i, pair_id=pair.id, scheduled_at=at) for i, at in created]
    else:
        meetings = session.scalars(
            select(Meeting).where(
                Meeting.pair_id == pair.id,
                Meeting.status == UPCOMING,
                Meeting.scheduled_at > now,
                Meeting.scheduled_at <= horizon,
            )
        )
    zones = zones if zones is not None else zones_for(session, pair)
    rows = [row for m in meetings for row in meeting_deliveries(pair, m, zones, lead, now)]
    if services is not None:
        rows += plan_milestones(session, services, pair, zones, now, horizon)
    return rows


def resume_due_pairs(session: Session, today: date) -> list[int]:
    """Pairs whose pause has run out become active again; return their ids."""
    due = session.scalars(
        select(Pair).where(
            Pair.status == PairStatus.PAUSED,
            Pair.paused_until.is_not(None),
            Pair.paused_until <= today,
        )
    ).all()
    for pair in due:
        pair.status, pair.paused_until, pair.planned_until = PairStatus.ACTIVE, None, None
    return [p.id for p in due]


def plan_tick(services: Services, *, batch: int = 200) -> int:
    """Plan every active pair whose planned horizon is running out; return rows added."""
    now = services.clock.now()
    cfg = services.config.scheduler
    horizon = now + timedelta(days=cfg.horizon_days)
    replan_before = horizon - timedelta(days=1)
    lead = timedelta(hours=cfg.nudge_lead_hours)
    added = 0
    with services.sessions.begin() as session:
        resume_due_pairs(session, now.date())
        complete_finished_pairs(session, services, now.date())
        sweep_prompts(session, services)
    # Never planned, then running out: each is a range of the (status, planned_until) index, so
    # the pairs due for planning are found without reading every pair, however many there are.
    # New pairs this process is planning already (`services.in_hand`) are left to it.
    for needs_planning in (Pair.planned_until.is_(None), Pair.planned_until < replan_before):
        while True:
            held = services.in_hand.ids()
            with services.sessions.begin() as session:
                pairs = session.scalars(
                    select(Pair)
                    .where(
                        Pair.status == PairStatus.ACTIVE,
                        needs_planning,
                        Pair.team_id.not_in(
                            select(Workspace.team_id).where(Workspace.status != "active")
                        ),
                        Pair.id.not_in(held) if held else true(),
                    )
                    .order_by(Pair.planned_until, Pair.id)
                    .limit(batch)
                ).all()
                for pair in pairs:
                    rows = pair_rows(session, pair, now, horizon, lead, services)
                    added += add_deliveries(session, rows, now)
                    pair.planned_until = horizon
            if len(pairs) < batch:
                break
    if added:
        log.info("planned %d deliveries", added)
    return added


def plan_new_pair(
    services: Services, session: Session, pair: AnyPair, zones: dict[str, str] | None = None
) -> bool:
    """Plan the first weeks of a new pair's meetings and milestones, once: False (nothing
    done) when the pair was planned meanwhile (the scheduler's tick plans never-planned pairs)
    or is no longer active (`plan_new_pairs` for one pair)."""
    return plan_new_pairs(services, session, [(pair, zones)])[0]


def plan_new_pairs(
    services: Services,
    session: Session,
    pairs: Sequence[tuple[AnyPair, dict[str, str] | None]],
) -> list[bool]:
    """Plan the first weeks of these new pairs (each with its people's zones, or None to read
    them), each once, in `session`'s transaction: for each, False (nothing done) when it was
    planned meanwhile (the scheduler's tick plans never-planned pairs) or is no longer active.
    A pair may come from the transaction that stored it: the claim is one UPDATE, and nothing
    of the pair is read again.

    On PostgreSQL each pair's claim, meetings and prompts are one statement
    (`claim_first_planning`), and all the pairs' outbox rows one more: a round trip per pair
    and one for them all. SQLite claims each on the driver and makes its meetings and prompts
    as the scheduler does, then adds all the pairs' outbox rows at once."""
    now = services.clock.now()
    cfg = services.config.scheduler
    horizon = now + timedelta(days=cfg.horizon_days)
    lead = timedelta(hours=cfg.nudge_lead_hours)
    conn = core_connection(session)
    planned: list[bool] = []
    rows: list[NewDelivery] = []
    if conn.dialect.name != "postgresql":
        claim = driver_statement(conn, CLAIM_FIRST_PLANNING)
        for pair, zones in pairs:
            claimed = claim.run(conn, {"pair_id": pair.id, "horizon": horizon})
            if claimed:
                rows += pair_rows(session, pair, now, horizon, lead, services, zones, first=True)
            planned.append(bool(claimed))
        add_deliveries(session, rows, now)
        return planned
    for pair, zones in pairs:
        zones = zones if zones is not None else zones_for(session, pair)
        instants = occurrences_utc(meeting_rule(pair), after=now, until=horizon)
        asks = milestone_asks(services, pair, zones, now, horizon)
        made = claim_first_planning(conn, pair.id, horizon, instants, asks.prompts)
        planned.append(made is not None)
        if made is None:
            continue
        meetings = [Meeting(id=i, pair_id=pair.id, scheduled_at=at) for i, at in made.meetings]
        rows += [row for m in meetings for row in meeting_deliveries(pair, m, zones, lead, now)]
        rows += milestone_rows(services, pair, asks, made.prompts, now, horizon)
    if rows:
        add_deliveries(session, rows, now)
    return planned
