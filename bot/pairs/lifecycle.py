"""Pausing, resuming and ending a pair, inside the caller's transaction, with notes to the others.

A pause cancels the meetings it covers (so they neither get nudges nor count as missed) and holds
nudges for later meetings until it ends; reflection prompts that fall due meanwhile are skipped
by the dispatcher. Resuming re-plans from now. Ending cancels everything still waiting and closes
the pair's reflection prompts; completing closes all but the final review's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.delivery.notices import tell
from bot.meetings.messages import with_calendar_update
from bot.meetings.series import next_meeting, revive
from bot.pairs import messages as say
from bot.pairs.messages import PairNames
from bot.pairs.retime import retime_pending
from bot.people.lookup import facts_from_user, flag_is_known, remember
from bot.reflections.prompts import close_pair_prompts
from storage.meetings import (
    cancel_future_meetings,
)
from storage.models import MEETING_KINDS, OPEN_STATUSES, DeliveryKind, Pair, PairStatus
from storage.outbox import cancel_for_pair
from storage.pairs import pairs_for_user
from storage.people import get_person

log = logging.getLogger(__name__)
DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS = 2, 26


@dataclass(frozen=True)
class Change:
    """What an action did: whether it applied, and what the acting person reads."""

    applied: bool
    reply: str
    people: tuple[str, ...] = field(default=())


def calendar_offer(pair: Pair, names: PairNames) -> Callable[[str, str], list[dict[str, Any]]]:
    """Blocks for a change notice that offers the updated calendar file (never sends it)."""
    pair_id, partner_of = pair.id, pair.partner_of
    return lambda reader, text: with_calendar_update(text, pair_id, names.name(partner_of(reader)))


def resume_instant(until: date) -> datetime:
    """When a pause ending on `until` is lifted by the planner (midnight UTC that day)."""
    return datetime.combine(until, time(0), UTC)


def pause(
    session: Session, services: Services, pair: Pair, names: PairNames, weeks: int | None
) -> Change:
    """Pause an active pair for `weeks` (None: until someone resumes it)."""
    now = services.clock.now()
    if pair.status != PairStatus.ACTIVE:
        return Change(False, say.not_now(names, pair.status, "pause", pair.paused_until))
    until = now.date() + timedelta(weeks=weeks) if weeks else None
    pair.status, pair.paused_until, pair.updated_at = PairStatus.PAUSED, until, now
    pair.schedule_version += 1
    before = resume_instant(until) if until else None
    cancel_future_meetings(
        session, pair.team_id, pair.id, after=now, before=before, reason="mentorship paused"
    )
    if before is not None:  # nudges for meetings after the pause wait for its end (by day)
        retime_pending(session, services, pair, kinds=(DeliveryKind.NUDGE,), not_before=before)
    tell(
        session,
        services,
        pair,
        "paused",
        names.others(),
        lambda reader, _tz: say.paused_notice(names, reader, until),
        calendar_offer(pair, names),
    )
    reply = say.paused_reply(names, until) if until else "⏸ Paused until someone resumes it."
    return Change(True, reply, (pair.mentee_id, pair.mentor_id))


def resume(
    session: Session, services: Services, pair: Pair, names: PairNames, reader_tz: str
) -> Change:
    """Resume a paused pair now: planning starts again from today."""
    now = services.clock.now()
    if pair.status != PairStatus.PAUSED:
        return Change(False, say.not_now(names, pair.status, "resume", pair.paused_until))
    pair.status, pair.paused_until, pair.planned_until = PairStatus.ACTIVE, None, None
    pair.updated_at = now
    pair.schedule_version += 1
    revive(session, pair, now)
    session.flush()
    retime_pending(session, services, pair)  # nudges held for the pause's end come back
    upcoming = next_meeting(session, pair, now)
    tell(
        session,
        services,
        pair,
        "resumed",
        names.others(),
        lambda reader, tz: say.resumed_notice(names, reader, upcoming, tz),
        calendar_offer(pair, names),
    )
    reply = say.resumed_reply(names, upcoming, reader_tz)
    return Change(True, reply, (pair.mentee_id, pair.mentor_id))


def end(session: Session, services: Services, pair: Pair, names: PairNames) -> Change:
    """End an open pair: nothing more is sent about it."""
    now = services.clock.now()
    if pair.status not in OPEN_STATUSES:
        return Change(False, say.not_now(names, pair.status, "end", None))
    pair.status, pair.paused_until, pair.updated_at = PairStatus.ENDED, None, now
    pair.schedule_version += 1
    cancel_for_pair(session, pair.team_id, pair.id, "mentorship ended")
    cancel_future_meetings(session, pair.team_id, pair.id, after=now, reason="mentorship ended")
    close_pair_prompts(session, services, pair.id, final_review_too=True)
    tell(
        session,
        services,
        pair,
        "ended",
        names.others(),
        lambda reader, _tz: say.ended_notice(names, reader),
        calendar_offer(pair, names),
    )
    return Change(True, say.ended_reply(names), (pair.mentee_id, pair.mentor_id))


def pause_for_deactivated(
    session: Session, services: Services, pair: Pair, gone_id: str, gone_name: str
) -> bool:
    """Pause a pair (until resumed) because `gone_id` was deactivated; tell the other person."""
    now = services.clock.now()
    if pair.status == PairStatus.PAUSED and pair.paused_until is None:
        return False  # already waiting for a person to resume it (e.g. a redelivered event)
    if pair.status not in OPEN_STATUSES:
        return False
    pair.status, pair.paused_until, pair.updated_at = PairStatus.PAUSED, None, now
    pair.schedule_version += 1
    cancel_future_meetings(
        session, pair.team_id, pair.id, after=now, reason="participant deactivated"
    )
    other = pair.partner_of(gone_id)
    tell(
        session,
        services,
        pair,
        "deactivated",
        [other],
        lambda _reader, _tz: say.deactivated_notice(gone_name),
    )
    return True


def complete_finished_pairs(session: Session, services: Services, today: date) -> list[int]:
    """Pairs past their end date become completed; their remaining nudges are cancelled."""
    done = session.scalars(
        select(Pair).where(Pair.status.in_(OPEN_STATUSES), Pair.end_date < today)
    ).all()
    for pair in done:
        pair.status = PairStatus.COMPLETED
        pair.updated_at = services.clock.now()
        cancel_for_pair(session, pair.team_id, pair.id, "mentorship completed", MEETING_KINDS)
        close_pair_prompts(session, services, pair.id, final_review_too=False)
    return [p.id for p in done]


def on_user_changed(services: Services, team_id: str, user: Mapping[str, Any]) -> list[str]:
    """A `user_change` event: update the people cache; a deactivated user's pairs pause (the
    other person is told) and a new time zone moves that person's waiting messages to their new
    local time. Return the partners whose pairs were paused."""
    if not isinstance(user, Mapping):
        return []
    user_id = user.get("id")
    if not isinstance(user_id, str) or not user_id or not team_id:
        return []
    facts = facts_from_user(user, user_id)
    now = services.clock.now()
    partners: list[str] = []
    with services.sessions.begin() as session:
        before = get_person(session, team_id, user_id)
        pairs = pairs_for_user(session, team_id, user_id)
        if before is None and not pairs:
            return []  # someone the bot has never dealt with
        if not flag_is_known(user, "deleted"):  # not a JSON boolean: no news about it
            facts = replace(facts, deleted=before.deleted if before else False)
        moved = before is None or before.tz != facts.tz
        remember(session, team_id, facts, now)
        session.flush()
        for pair in pairs:
            if facts.deleted:
                if pause_for_deactivated(session, services, pair, user_id, facts.name):
                    partners.append(pair.partner_of(user_id))
            elif moved:
                retime_pending(session, services, pair, recipients={user_id})
    if partners:
        log.info(
            "paused %d pair(s) of a deactivated user", len(partners), extra={"team_id": team_id}
        )
        services.waker()
    return partners
