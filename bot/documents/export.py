"""The plan as a Markdown file in a person's DM: `/mentorship plan export`, and the fallback when
the workspace has no canvases. The same content as the canvas (bot.domain.plan_document), with
names, never user ids; reflections only where their author shared them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.core.slack import upload_to_dm
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.documents import messages as say
from bot.documents.choose import Reply, pair_for_command, participant_pair
from bot.documents.content import plan_document
from bot.domain.plan_document import PlanDocument, document_filename, document_title
from bot.domain.plan_document import markdown_document as render_markdown
from storage import keys
from storage.documents import IN_FLIGHT, delivery_by_key, send_again
from storage.models import DeliveryKind, DeliveryStatus, Pair
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import get_pair

FALLBACK = "fallback"  # payload "why": canvases are unavailable in the workspace


def digest(markdown: str) -> str:
    """A short fingerprint of a document's text (the same plan is never sent twice)."""
    return hashlib.sha256(markdown.encode()).hexdigest()[:16]


def export_row(pair: Pair, user_id: str, markdown: str, now: Any, why: str = "") -> NewDelivery:
    """The outbox row that puts this version of the plan in one person's DM."""
    return NewDelivery(
        team_id=pair.team_id,
        kind=DeliveryKind.PLAN_EXPORT,
        recipient_id=user_id,
        occurrence_key=keys.plan_export(pair.id, digest(markdown), user_id),
        due_at=now,
        pair_id=pair.id,
        payload={"why": why} if why else None,
    )


def document_now(services: Services, session: Session, pair: Pair) -> PlanDocument:
    """The plan document from the database and the people cache (no Slack calls)."""
    reading = Reading(services, session, RefreshBudget(per_minute=0, burst=0))
    mentee, mentor = reading.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    return plan_document(session, pair, mentee, mentor)


def request_export(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_pair_id: Any
) -> str:
    """The Markdown button: the plan in the clicker's DM."""
    pair = participant_pair(services, team_id, user_id, raw_pair_id)
    if pair is None:
        return say.PARTICIPANTS_ONLY
    return queue_export(services, team_id, pair.id, user_id)


def export_command(
    services: Services, client: WebClient, team_id: str, user_id: str, rest: str
) -> Reply:
    """`/mentorship plan export [@partner]`."""
    chosen = pair_for_command(services, client, team_id, user_id, rest, say.EXPORT_PLAN)
    if isinstance(chosen, Pair):
        return queue_export(services, team_id, chosen.id, user_id), None
    return chosen


def queue_export(services: Services, team_id: str, pair_id: int, user_id: str) -> str:
    """Queue the plan as it is now for one of its people, unless they already have it."""
    now = services.clock.now()
    with services.sessions() as session:  # people may be looked up: before the write lock
        pair = get_pair(session, team_id, pair_id)
        if pair is None or pair.role_of(user_id) is None:
            return say.PARTICIPANTS_ONLY
        row = export_row(pair, user_id, render_markdown(document_now(services, session, pair)), now)
    with services.sessions.begin() as session:
        found = delivery_by_key(session, row.occurrence_key)
        if found is not None and found.status == DeliveryStatus.SENT:
            return say.export_unchanged()
        if found is None:
            add_deliveries(session, [row], now)
        elif found.status not in IN_FLIGHT:
            send_again(found, now)
    services.waker()
    return say.EXPORT_ON_ITS_WAY


def render_plan_export(r: Reading, job: Job) -> Rendered | Skip:
    """The plan as it is now, uploaded as a .md file to the recipient's DM."""
    pair = get_pair(r.session, job.team_id, job.pair_id or 0)
    if pair is None or pair.role_of(job.recipient_id) is None:
        return Skip("not a pair of the recipient")
    mentee, mentor = r.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    doc = plan_document(r.session, pair, mentee, mentor)
    partner = mentor if job.recipient_id == pair.mentee_id else mentee
    comment = say.export_comment(partner.name, job.payload.get("why") == FALLBACK)
    content, user_id = render_markdown(doc), job.recipient_id

    def send(client: WebClient) -> Mapping[str, Any]:
        upload_to_dm(
            client,
            user_id,
            filename=document_filename(doc),
            content=content,
            title=document_title(doc),
            comment=comment,
        )
        return {}

    return Rendered(comment, [], send=send)
