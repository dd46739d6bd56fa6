"""Once a meeting has an answer, every sent nudge and follow-up about it shows the answer.

Either person can answer for both with one click; the other one's messages (and the clicker's
other message about the same meeting) would otherwise keep buttons that no longer do anything.
Each is rebuilt as it was sent, from the data now, with its buttons replaced by the answer line.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select

from bot.core.services import Services
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Reading, meeting_facts
from bot.meetings import messages as meeting_messages
from storage.models import Delivery, Meeting, Pair

log = logging.getLogger(__name__)
MEETING_KINDS = ("nudge", "followup")


def show_answer_everywhere(
    services: Services,
    client: WebClient,
    pair: Pair,
    meeting: Meeting,
    status: str,
    by_user: str,
    *,
    except_message: tuple[str, str] | None = None,
) -> int:
    """Replace the buttons of each sent nudge and follow-up for `meeting` (as it was before the
    answer) with the answer line; `except_message` (channel, ts) is the one already updated.
    Return how many messages were updated."""
    cache_only = RefreshBudget(per_minute=0, burst=0)  # names and zones as cached: no Slack calls
    keys = [Delivery.occurrence_key.like(f"{kind}:{meeting.id}:%") for kind in MEETING_KINDS]
    with services.sessions() as session:
        rows = session.scalars(
            select(Delivery).where(
                Delivery.team_id == pair.team_id,
                Delivery.pair_id == pair.id,
                Delivery.status == "sent",
                Delivery.kind.in_(MEETING_KINDS),
                Delivery.channel.is_not(None),
                Delivery.ts.is_not(None),
                or_(*keys),
            )
        ).all()
        rows = [r for r in rows if (r.channel, r.ts) != except_message]
        if not rows:
            return 0
        reading = Reading(services, session, cache_only)
        facts = {
            r.recipient_id: meeting_facts(reading, pair, meeting, r.recipient_id) for r in rows
        }
        by_name = reading.person(pair.team_id, by_user).name
    updated = 0
    for row in rows:
        seen = facts[row.recipient_id]
        build = meeting_messages.nudge if row.kind == "nudge" else meeting_messages.followup
        _, blocks = build(seen)
        line = meeting_messages.answered(
            status,
            meeting.scheduled_at,
            seen.reader_tz,
            None if row.recipient_id == by_user else by_name,
        )
        original = [b.to_dict() for b in blocks]
        try:
            client.chat_update(
                channel=str(row.channel),
                ts=str(row.ts),
                text=line,
                blocks=meeting_messages.answered_blocks(line, original),
            )
            updated += 1
        except SlackApiError as exc:  # an old message may be gone; the answer is stored anyway
            log.info("could not update message %s: %s", row.ts, exc.response.get("error"))
    return updated
