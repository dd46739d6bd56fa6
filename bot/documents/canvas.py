"""The plan as a Slack canvas that belongs to the pair: `/mentorship plan share` or the Home's
button asks for it, the outbox makes it (canvases.create, then write access for each of the two,
one canvases.access.set per person), and both get the link by DM. Where the workspace has no
canvases (a free team, canvases turned off, or not allowed), both get the plan as a Markdown
file instead."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.delivery.notices import notice
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.documents import messages as say
from bot.documents.choose import Reply, pair_for_command, participant_pair
from bot.documents.content import plan_document
from bot.documents.export import FALLBACK, export_row, queue_export
from bot.domain.plan_document import bot_sections, canvas_markdown, document_title
from bot.domain.plan_document import markdown_document as render_markdown
from bot.people.lookup import person
from storage import keys
from storage.documents import (
    CANVAS_PENDING,
    CANVAS_READY,
    CANVAS_UNAVAILABLE,
    IN_FLIGHT,
    delivery_by_key,
    ensure_document,
    get_document,
    queue_document_sync,
)
from storage.models import DeliveryKind, Pair
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import get_pair, lock_pair

log = logging.getLogger(__name__)
# Slack's answers to canvases.create when the workspace cannot have this canvas.
UNAVAILABLE = frozenset(
    {
        "free_teams_cannot_create_standalone_canvases",
        "free_teams_cannot_create_non_tabbed_canvases",
        "canvas_disabled_user_team",
        "restricted_action",
    }
)
RETRY_UNAVAILABLE = timedelta(days=1)  # after that, a workspace may have gained canvases


def request_share(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_pair_id: Any
) -> str:
    """📄 Share plan as canvas (Home): the pair's canvas, made once."""
    pair = participant_pair(services, team_id, user_id, raw_pair_id)
    if pair is None:
        return say.PARTICIPANTS_ONLY
    return queue_share(services, client, pair, user_id)


def share_command(
    services: Services, client: WebClient, team_id: str, user_id: str, rest: str
) -> Reply:
    """`/mentorship plan share [@partner]`."""
    chosen = pair_for_command(services, client, team_id, user_id, rest, say.SHARE_CANVAS)
    if isinstance(chosen, Pair):
        return queue_share(services, client, chosen, user_id), None
    return chosen


def queue_share(services: Services, client: WebClient, pair: Pair, user_id: str) -> str:
    """The canvas's link when it exists; else queue making it (once, however often asked)."""
    partner = person(services, client, pair.team_id, pair.partner_of(user_id)).name
    now = services.clock.now()
    with services.sessions.begin() as session:
        fresh = lock_pair(session, pair.team_id, pair.id)
        if fresh is None or fresh.role_of(user_id) is None:
            return say.PARTICIPANTS_ONLY
        doc = ensure_document(session, pair.team_id, pair.id, now)
        if doc.canvas_state == CANVAS_READY and doc.canvas_url:
            return say.canvas_ready(partner, doc.canvas_url)
        if doc.canvas_state == CANVAS_PENDING:
            row = delivery_by_key(session, keys.canvas(pair.id, doc.share_round))
            if row is not None and row.status in IN_FLIGHT:
                return say.canvas_coming(partner)
        # No canvases here a moment ago: Markdown straight away (a day later, try again).
        markdown_only = (
            doc.canvas_state == CANVAS_UNAVAILABLE and doc.updated_at > now - RETRY_UNAVAILABLE
        )
        if not markdown_only:
            doc.share_round += 1
            doc.canvas_state, doc.canvas_owner, doc.updated_at = CANVAS_PENDING, user_id, now
            key = keys.canvas(pair.id, doc.share_round)
            make = NewDelivery(pair.team_id, DeliveryKind.CANVAS, user_id, key, now, pair.id)
            add_deliveries(session, [make], now)
    if markdown_only:
        return queue_export(services, pair.team_id, pair.id, user_id)
    services.waker()
    return say.canvas_coming(partner)


def canvas_url(client: WebClient, team_id: str, canvas_id: str) -> str:
    """The canvas's address in the workspace (auth.test knows the workspace's URL)."""
    base = str(client.auth_test().get("url") or "https://app.slack.com/").rstrip("/")
    return f"{base}/docs/{team_id}/{canvas_id}"


def grant_write(client: WebClient, canvas_id: str, user_id: str) -> None:
    """Write access for one person (Slack takes one id per call)."""
    try:
        client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[user_id])
    except SlackApiError as exc:  # e.g. a deactivated account: the other still gets access
        log.warning("canvas %s: no access for %s: %s", canvas_id, user_id, exc.response["error"])


def render_canvas(r: Reading, job: Job) -> Rendered | Skip:
    """Make the pair's canvas from the plan as it is now (or fall back to Markdown files)."""
    pair = get_pair(r.session, job.team_id, job.pair_id or 0)
    doc = get_document(r.session, job.team_id, job.pair_id or 0)
    if pair is None or doc is None or doc.canvas_state != CANVAS_PENDING:
        return Skip("no canvas waiting to be made")
    mentee, mentor = r.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    document = plan_document(r.session, pair, mentee, mentor)
    title, markdown = document_title(document), canvas_markdown(document)
    written = {s.title: s.body for s in bot_sections(document)}
    fallback = render_markdown(document)
    names = {mentee.user_id: mentee.name, mentor.user_id: mentor.name}
    services, team_id, pair_id = r.services, pair.team_id, pair.id

    def send(client: WebClient) -> Mapping[str, Any]:
        content = {"type": "markdown", "markdown": markdown}
        try:
            created = client.canvases_create(title=title, document_content=content)
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            if error not in UNAVAILABLE:
                raise
            fall_back(services, team_id, pair_id, error, fallback)
            return {}
        canvas_id = str(created["canvas_id"])
        for user_id in names:
            grant_write(client, canvas_id, user_id)
        url = canvas_url(client, team_id, canvas_id)
        ready(services, team_id, pair_id, canvas_id, url, written, names)
        return {}

    return Rendered(f"plan canvas: {title}", [], send=send)


def ready(
    services: Services,
    team_id: str,
    pair_id: int,
    canvas_id: str,
    url: str,
    written: dict[str, str],
    names: dict[str, str],
) -> None:
    """Remember the canvas and what the bot wrote in it; both people get the link."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        doc = get_document(session, team_id, pair_id)
        if doc is None:
            return
        doc.canvas_id, doc.canvas_url, doc.canvas_state = canvas_id, url, CANVAS_READY
        doc.sections, doc.last_error, doc.updated_at = written, None, now
        a, b = names
        links = [
            notice(
                team_id,
                reader,
                keys.canvas_link(pair_id, canvas_id, reader),
                say.canvas_link_text(names[b if reader == a else a], url),
                now,
                pair_id,
            )
            for reader in names
        ]
        add_deliveries(session, links, now)
        queue_document_sync(session, team_id, pair_id, now)  # anything changed meanwhile
    services.waker()


def fall_back(services: Services, team_id: str, pair_id: int, error: str, markdown: str) -> None:
    """No canvases here: both people get the plan as a Markdown file, and the bot remembers."""
    now = services.clock.now()
    log.info("pair %s: canvases unavailable (%s); sending Markdown instead", pair_id, error)
    with services.sessions.begin() as session:
        doc = get_document(session, team_id, pair_id)
        pair = get_pair(session, team_id, pair_id)
        if doc is None or pair is None:
            return
        doc.canvas_state, doc.last_error, doc.updated_at = CANVAS_UNAVAILABLE, error, now
        rows = [
            export_row(pair, user, markdown, now, FALLBACK)
            for user in (pair.mentee_id, pair.mentor_id)
        ]
        add_deliveries(session, rows, now)
    services.waker()
