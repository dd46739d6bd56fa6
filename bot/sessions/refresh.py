"""Sent messages shown again from the data now: when a topic is added or an item is ticked, the
nudges already in both people's DMs change at once (chat.update), the way one answer to a meeting
shows on every message about it (bot/meetings/answers.py).

Each message is rebuilt by its own kind's renderer through the delivery engine
(`bot.delivery.render.render`), so sessions never imports meetings: a nudge whose meeting has been
answered, moved or cancelled renders nothing and keeps what it shows.
"""

from __future__ import annotations

import http.client
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import ColumnElement, and_, select

from bot.core.services import Services
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Rendered, job_of, render
from storage import keys
from storage.models import Delivery, DeliveryKind, DeliveryStatus

log = logging.getLogger(__name__)


def refresh_sent(
    services: Services, client: WebClient, team_id: str, pair_id: int, which: ColumnElement[bool]
) -> int:
    """Rebuild each sent message of the pair that `which` selects and update it in Slack;
    return how many were updated."""
    with services.sessions() as session:
        rows = session.scalars(
            select(Delivery).where(
                Delivery.team_id == team_id,
                Delivery.pair_id == pair_id,
                Delivery.status == DeliveryStatus.SENT,
                Delivery.channel.is_not(None),
                Delivery.ts.is_not(None),
                which,
            )
        ).all()
        sent = [(job_of(row), str(row.channel), str(row.ts)) for row in rows]
    cache_only = RefreshBudget(per_minute=0, burst=0)  # names and zones as cached
    updated = 0
    for job, channel, ts in sent:
        message = render(services, job, cache_only)
        if not isinstance(message, Rendered):
            continue
        try:
            client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)
            updated += 1
        except SlackApiError as exc:  # an old message may be gone; the data is stored anyway
            log.info("could not update message %s: %s", ts, exc.response.get("error"))
        except (OSError, http.client.HTTPException) as exc:  # no answer; the data is stored anyway
            log.info("could not update message %s: %s", ts, type(exc).__name__)
    return updated


def refresh_nudges(
    services: Services, client: WebClient, team_id: str, pair_id: int, meeting_id: int | None
) -> int:
    """Both people's sent nudges for one session, rebuilt with its agenda as it is now."""
    if meeting_id is None:
        return 0
    which = and_(keys.of_meeting(meeting_id), Delivery.kind == DeliveryKind.NUDGE.value)
    return refresh_sent(services, client, team_id, pair_id, which)


def refresh_notes_messages(
    services: Services, client: WebClient, team_id: str, pair_id: int, meeting_id: int
) -> int:
    """The sent "wrote notes" messages about one session, rebuilt (an edited or deleted item
    changes there too)."""
    return refresh_sent(services, client, team_id, pair_id, keys.of_session_notes(meeting_id))
