"""Pausing, resuming and ending a pair, inside the caller's transaction, with notes to the others.

A pause cancels the meetings it covers (so they neither get nudges nor count as missed) and holds
nudges for later meetings until it ends; reflection prompts that fall due meanwhile are skipped
by the dispatcher. Resuming re-plans from now. Ending cancels everything still waiting.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.schedule import next_occurrence, occurrences_utc
from bot.pairs import messages as say
from bot.pairs.messages import PairNames
from bot.pairs.retime import retime_pending
from storage.meetings import (
    cancel_future_meetings,
    last_cancelled_at,
    revive_meetings,
    slot_key,
    upcoming_meetings,
)
from storage.models import OPEN_STATUSES, Pair
from storage.outbox import NewDelivery, add_deliveries, cancel_for_pair
from storage.pairs import meeting_rule
from storage.people import zones_for

DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS = 2, 26


@dataclass(frozen=True)
class Change:
    """What an action did: whether it applied, and what the acting person reads."""

    applied: bool
    reply: str
    people: tuple[str, ...] = field(default=())


def next_meeting(session: Session, pair: Pair, now: datetime) -> datetime | None:
    """The pair's next meeting: a planned one, else the next of its rule."""
    planned = upcoming_meetings(session, pair.id, now)
    if planned:
        return planned[0].scheduled_at
    return next_occurrence(meeting_rule(pair), now)


def revive(session: Session, pair: Pair, now: datetime) -> int:
    """Bring back cancelled future meetings that the pair's rule still has (after a resume or
    an edit), so the planner gives them their messages again."""
    latest = last_cancelled_at(session, pair.team_id, pair.id, now)
    if latest is None:
        return 0
    slots = {slot_key(i) for i in occurrences_utc(meeting_rule(pair), until=latest)}
    return revive_meetings(session, pair.team_id, pair.id, after=now, slots=slots)


def resume_instant(until: date) -> datetime:
    """When a pause ending on `until` is lifted by the planner (midnight UTC that day)."""
    return datetime.combine(until, time(0), UTC)


def tell(
    session: Session,
    services: Services,
    pair: Pair,
    verb: str,
    readers: list[str],
    text_for: Callable[[str, str], str],
) -> None:
    """Queue a short DM (kind `notice`) for each reader; `text_for(reader, reader_tz)`."""
    now = services.clock.now()
    zones = zones_for(session, pair)
    stamp = uuid.uuid4().hex[:10]
    rows = [
        NewDelivery(
            team_id=pair.team_id,
            kind="notice",
            recipient_id=reader,
            occurrence_key=f"{verb}:{pair.id}:{stamp}:{reader}",
            due_at=now,
            pair_id=pair.id,
            payload={"text": text_for(reader, zones.get(reader, pair.tz))},
        )
        for reader in readers
    ]
    add_deliveries(session, rows, now)


def pause(
    session: Session, services: Services, pair: Pair, names: PairNames, weeks: int | None
) -> Change:
    """Pause an active pair for `weeks` (None: until someone resumes it)."""
    now = services.clock.now()
    if pair.status != "active":
        return Change(False, say.not_now(names, pair.status, "pause", pair.paused_until))
    until = now.date() + timedelta(weeks=weeks) if weeks else None
    pair.status, pair.paused_until, pair.updated_at = "paused", until, now
    before = resume_instant(until) if until else None
    cancel_future_meetings(
        session, pair.team_id, pair.id, after=now, before=before, reason="mentorship paused"
    )
    if before is not None:  # nudges for meetings after the pause wait for its end (by day)
        retime_pending(session, services, pair, kinds=("nudge",), not_before=before)
    tell(
        session,
        services,
        pair,
        "paused",
        names.others(),
        lambda reader, _tz: say.paused_notice(names, reader, until),
    )
    reply = say.paused_reply(names, until) if until else "⏸ Paused until someone resumes it."
    return Change(True, reply, (pair.mentee_id, pair.mentor_id))


def resume(
    session: Session, services: Services, pair: Pair, names: PairNames, reader_tz: str
) -> Change:
    """Resume a paused pair now: planning starts again from today."""
    now = services.clock.now()
    if pair.status != "paused":
        return Change(False, say.not_now(names, pair.status, "resume", pair.paused_until))
    pair.status, pair.paused_until, pair.planned_until = "active", None, None
    pair.updated_at = now
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
    )
    reply = say.resumed_reply(names, upcoming, reader_tz)
    return Change(True, reply, (pair.mentee_id, pair.mentor_id))


def end(session: Session, services: Services, pair: Pair, names: PairNames) -> Change:
    """End an open pair: nothing more is sent about it."""
    now = services.clock.now()
    if pair.status not in OPEN_STATUSES:
        return Change(False, say.not_now(names, pair.status, "end", None))
    pair.status, pair.paused_until, pair.updated_at = "ended", None, now
    cancel_for_pair(session, pair.team_id, pair.id, "mentorship ended")
    cancel_future_meetings(session, pair.team_id, pair.id, after=now, reason="mentorship ended")
    tell(
        session,
        services,
        pair,
        "ended",
        names.others(),
        lambda reader, _tz: say.ended_notice(names, reader),
    )
    return Change(True, say.ended_reply(names), (pair.mentee_id, pair.mentor_id))


def pause_for_deactivated(
    session: Session, services: Services, pair: Pair, gone_id: str, gone_name: str
) -> bool:
    """Pause a pair (until resumed) because `gone_id` was deactivated; tell the other person."""
    now = services.clock.now()
    if pair.status == "paused" and pair.paused_until is None:
        return False  # already waiting for a person to resume it (e.g. a redelivered event)
    if pair.status not in OPEN_STATUSES:
        return False
    pair.status, pair.paused_until, pair.updated_at = "paused", None, now
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
