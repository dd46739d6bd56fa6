"""The messages of one meeting: a nudge before it and a follow-up after it, for each person."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.timing import FOLLOWUP_WINDOW, followup_due, nudge_due
from storage import keys
from storage.meetings import slot_key
from storage.models import DeliveryKind, Meeting
from storage.outbox import NewDelivery
from storage.pairs import AnyPair


def meeting_deliveries(
    pair: AnyPair, meeting: Meeting, zones: dict[str, str], lead: timedelta, now: datetime
) -> list[NewDelivery]:
    """A nudge before and a follow-up after one meeting, for each participant."""
    rows: list[NewDelivery] = []
    at = meeting.scheduled_at
    payload = {"meeting_id": meeting.id, "scheduled_at": at.isoformat()}
    slot = slot_key(at)
    for user_id in (pair.mentee_id, pair.mentor_id):
        tz = zones.get(user_id, pair.tz)
        due = nudge_due(at, lead, tz, not_before=now)  # planned late: still not in their night
        if due < at:
            rows.append(
                NewDelivery(
                    team_id=pair.team_id,
                    kind=DeliveryKind.NUDGE,
                    recipient_id=user_id,
                    occurrence_key=keys.meeting_message(
                        DeliveryKind.NUDGE, meeting.id, slot, user_id
                    ),
                    due_at=due,
                    pair_id=pair.id,
                    expires_at=at,
                    payload=payload,
                )
            )
        after = followup_due(at, tz)
        rows.append(
            NewDelivery(
                team_id=pair.team_id,
                kind=DeliveryKind.FOLLOWUP,
                recipient_id=user_id,
                occurrence_key=keys.meeting_message(
                    DeliveryKind.FOLLOWUP, meeting.id, slot, user_id
                ),
                due_at=after,
                pair_id=pair.id,
                expires_at=after + FOLLOWUP_WINDOW,
                payload=payload,
            )
        )
    return rows
