"""The meeting series of a pair: its next meeting, and cancelled meetings coming back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.schedule import next_occurrence, occurrences_utc
from storage.meetings import (
    last_cancelled_at,
    next_planned,
    revive_meetings,
    slot_key,
    upcoming_meetings,
)
from storage.models import Pair
from storage.pairs import meeting_rule


def next_meeting(session: Session, pair: Pair, now: datetime) -> datetime | None:
    """The pair's next meeting: a planned one, else the next of its rule."""
    planned = upcoming_meetings(session, pair.id, now)
    if planned:
        return planned[0].scheduled_at
    return next_occurrence(meeting_rule(pair), now)


def next_meetings(
    session: Session, pairs: Sequence[Pair], now: datetime
) -> dict[int, datetime | None]:
    """`next_meeting` of several pairs, with one query for all of them."""
    planned = next_planned(session, [p.id for p in pairs], now)
    return {p.id: planned.get(p.id) or next_occurrence(meeting_rule(p), now) for p in pairs}


def revive(session: Session, pair: Pair, now: datetime) -> int:
    """Bring back cancelled future meetings that the pair's rule still has (after a resume or
    an edit), so the planner gives them their messages again."""
    latest = last_cancelled_at(session, pair.team_id, pair.id, now)
    if latest is None:
        return 0
    slots = {slot_key(i) for i in occurrences_utc(meeting_rule(pair), until=latest)}
    return revive_meetings(session, pair.team_id, pair.id, after=now, slots=slots)
