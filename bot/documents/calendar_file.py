"""The meeting series as a calendar file in a person's DM: asked for with a button or
`/mentorship calendar`, queued once per schedule version and person (a second click for an
unchanged schedule sends nothing), uploaded by the outbox after Slack's answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot.core.services import Services
from bot.core.slack import open_dm, upload_to_dm
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.documents import messages as say
from bot.documents.choose import Reply, pair_for_command, participant_pair
from bot.documents.series import open_in_slack, pair_series
from bot.domain.calendar import FILENAME, series_ics, series_problems
from bot.meetings.messages import CALENDAR_FILE
from storage import keys
from storage.documents import (
    IN_FLIGHT,
    delivery_by_key,
    ensure_document,
    get_document,
    pair_meetings,
    send_again,
)
from storage.models import DeliveryKind, DeliveryStatus, Pair
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import get_pair, lock_pair
from storage.people import set_dm_channel

log = logging.getLogger(__name__)


def request_calendar(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_pair_id: Any
) -> str:
    """📅 Add to calendar (summary, Home, change notices): the file for the clicker's pair."""
    pair = participant_pair(services, team_id, user_id, raw_pair_id)
    if pair is None:
        return say.PARTICIPANTS_ONLY
    return queue_calendar(services, team_id, pair.id, user_id)


def calendar_command(
    services: Services, client: WebClient, team_id: str, user_id: str, rest: str
) -> Reply:
    """`/mentorship calendar [@partner]`: the file, or which mentorship?"""
    chosen = pair_for_command(services, client, team_id, user_id, rest, CALENDAR_FILE)
    if isinstance(chosen, Pair):
        return queue_calendar(services, team_id, chosen.id, user_id), None
    return chosen


def queue_calendar(services: Services, team_id: str, pair_id: int, user_id: str) -> str:
    """Queue the file of the pair's current schedule version for one of its people, once."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        pair = lock_pair(session, team_id, pair_id)
        if pair is None or pair.role_of(user_id) is None:
            return say.PARTICIPANTS_ONLY
        ensure_document(session, team_id, pair.id, now)
        key = keys.calendar_file(pair.id, pair.schedule_version, user_id)
        row = delivery_by_key(session, key)
        if row is not None and row.status == DeliveryStatus.SENT:
            return say.still_current(pair.schedule_version)
        if row is None:
            file = NewDelivery(team_id, DeliveryKind.CALENDAR_FILE, user_id, key, now, pair.id)
            add_deliveries(session, [file], now)
        elif row.status not in IN_FLIGHT:
            send_again(row, now)
    services.waker()
    return say.ON_ITS_WAY


def render_calendar_file(r: Reading, job: Job) -> Rendered | Skip:
    """The pair's calendar file as it stands now, uploaded to the recipient's DM."""
    pair = get_pair(r.session, job.team_id, job.pair_id or 0)
    if pair is None or pair.role_of(job.recipient_id) is None:
        return Skip("not a pair of the recipient")
    doc = get_document(r.session, job.team_id, pair.id)
    if doc is None:
        return Skip("no calendar key for the pair")
    mentee, mentor = r.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    partner = mentor if job.recipient_id == pair.mentee_id else mentee
    series = pair_series(
        pair,
        pair_meetings(r.session, pair.team_id, pair.id),
        names=(mentee.name, mentor.name),
        uid_key=doc.uid_key,
        now=r.services.clock.now(),
        link=open_in_slack(pair.team_id, None),
    )
    problems = series_problems(series)
    if problems:
        log.error("pair %s: no calendar file: %s", pair.id, " ".join(problems))
        return Skip(f"calendar file: {problems[0]}")
    comment = say.calendar_comment(partner.name, series.sequence, series.ended)
    services, team_id, user_id = r.services, pair.team_id, job.recipient_id

    def send(client: WebClient) -> Mapping[str, Any]:
        dm = open_dm(client, user_id)
        with services.sessions.begin() as session:  # the feed's link opens this DM too
            set_dm_channel(session, team_id, user_id, dm)
        content = series_ics(replace(series, link=open_in_slack(team_id, dm)))
        title = f"Mentorship meetings with {partner.name}"
        upload_to_dm(
            client,
            user_id,
            filename=FILENAME,
            content=content,
            title=title,
            comment=comment,
            channel=dm,
        )
        return {"channel": dm}

    return Rendered(comment, [], send=send)
