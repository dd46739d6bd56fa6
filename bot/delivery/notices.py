"""One-off DMs (kind `notice`): their text is decided when they are queued and kept in the row."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.core.text import FALLBACK_TEXT, MESSAGE_BLOCKS, clip, split_within
from bot.delivery.people import RefreshBudget, person_for_message
from bot.delivery.problems import announcement_problem, delivery_problem
from bot.delivery.render import Job, Reading, Rendered, Skip, kind_of
from storage import keys
from storage.models import DeliveryKind, Pair
from storage.outbox import NewDelivery, add_deliveries
from storage.people import zones_for


def notice(
    team_id: str,
    recipient_id: str,
    occurrence_key: str,
    text: str,
    due_at: datetime,
    pair_id: int | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> NewDelivery:
    """A prepared DM, sent as it is at `due_at` (`blocks` when it has more than its text)."""
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    return NewDelivery(
        team_id=team_id,
        kind=DeliveryKind.NOTICE,
        recipient_id=recipient_id,
        occurrence_key=occurrence_key,
        due_at=due_at,
        pair_id=pair_id,
        payload=payload,
    )


def tell(
    session: Session,
    services: Services,
    pair: Pair,
    verb: str,
    readers: Sequence[str],
    text_for: Callable[[str, str], str],
    blocks_for: Callable[[str, str], list[dict[str, Any]]] | None = None,
) -> None:
    """Queue a short DM for each reader, due now; `text_for(reader, reader_tz)`, and
    `blocks_for(reader, text)` when the message carries more than its text (e.g. a button)."""
    now = services.clock.now()
    zones = zones_for(session, pair)
    stamp = uuid.uuid4().hex[:10]
    rows = []
    for reader in readers:
        text = text_for(reader, zones.get(reader, pair.tz))
        key = keys.notice(verb, pair.id, stamp, reader)
        blocks = blocks_for(reader, text) if blocks_for is not None else None
        rows.append(notice(pair.team_id, reader, key, text, now, pair.id, blocks))
    add_deliveries(session, rows, now)


def render_notice(r: Reading, job: Job) -> Rendered | Skip:
    """A prepared message (delivery problems, reschedule notes): text and blocks in the payload."""
    text = str(job.payload.get("text", ""))
    blocks = job.payload.get("blocks") or [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_within(text, MESSAGE_BLOCKS)
    ]
    return Rendered(clip(text, FALLBACK_TEXT), list(blocks))


def tell_creator(services: Services, budget: RefreshBudget, job: Job, error: str) -> None:
    """Queue one DM to the pair's creator explaining what to fix (once per problem)."""
    if job.kind == DeliveryKind.NOTICE or job.pair_id is None:
        return
    with services.sessions() as session:
        pair = session.get(Pair, job.pair_id)
        if pair is None:
            return
        creator, team_id = pair.creator_id, pair.team_id
    name = job.recipient_id
    with contextlib.suppress(SlackApiError), services.sessions() as session:
        name = person_for_message(services, session, budget, team_id, job.recipient_id).name
    if job.kind == DeliveryKind.ANNOUNCEMENT:
        text = announcement_problem(job.recipient_id, error)
    else:
        kind = kind_of(services, job.kind)
        text = delivery_problem(name, kind.what if kind else "a message", error)
    now = services.clock.now()
    key = keys.problem(job.pair_id, job.recipient_id, error)
    row = notice(team_id, creator, key, text, now, job.pair_id)
    with services.sessions.begin() as session:
        add_deliveries(session, [row], now)
