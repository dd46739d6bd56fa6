"""Gathering a person's Home tab from the database and publishing it (`views.publish`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.core.services import Services
from bot.documents.feed import feed_since
from bot.domain.agenda import Progress
from bot.domain.plan import PersonFacts
from bot.domain.schedule import rule_description
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard, PastPair
from bot.home.labels import milestone_labels
from bot.home.view import build_home, status_message
from bot.meetings.series import next_meeting, next_meetings
from bot.pairs.access import DENIED, authorized_pair
from bot.pairs.manage import pair_label
from bot.people.admins import is_admin
from bot.people.lookup import people, person
from bot.programs.home import programs_home
from bot.reflections.milestones import milestone_label
from bot.reports.overview import counted_at
from bot.reports.overview import overview as program_overview
from bot.reports.totals import ProgramTotals
from bot.sessions.data import SessionsCard
from bot.sessions.home import sessions_cards
from bot.sessions.summary import progress_of
from storage.models import ALL_STATUSES, OPEN_STATUSES, Pair, PairStatus
from storage.onboarding import home_intro_shown, record_home_intro
from storage.pairs import meeting_rule, pairs_for_user

log = logging.getLogger(__name__)


def _card(
    pair: Pair,
    reader: PersonFacts,
    partner: PersonFacts,
    labels: dict[int, str],
    nxt: datetime | None,
    sessions: SessionsCard | None = None,
    counts: Progress | None = None,
) -> PairCard:
    owners = {"mentee": pair.mentee_id, "mentor": pair.mentor_id}
    names = {reader.user_id: reader.name, partner.user_id: partner.name}
    goals = tuple(
        GoalItem(g.id, names.get(owners[g.owner], g.owner), g.text, g.status == "done", g.owner)
        for g in pair.goals
        if g.owner in owners
    )
    milestones = tuple(
        MilestoneItem(labels.get(m.id, m.kind), m.due_date, m.completed_at is not None)
        for m in pair.milestones
    )
    return PairCard(
        pair_id=pair.id,
        role=pair.role_of(reader.user_id) or "mentee",
        partner_name=partner.name,
        status=pair.status,
        paused_until=pair.paused_until,
        next_meeting=nxt if pair.status == PairStatus.ACTIVE else None,
        reader_tz=reader.tz or pair.tz,
        partner_tz=partner.tz or pair.tz,
        rhythm=rule_description(meeting_rule(pair)),
        format=pair.format,
        channels=tuple(c for c in pair.channels.split(",") if c),
        end_date=pair.end_date,
        vision=next((g.text for g in pair.goals if g.owner == "shared"), ""),
        goals=goals,
        milestones=milestones,
        sessions=sessions,
        session_counts=counts,
    )


def card_for(services: Services, client: WebClient, pair: Pair, viewer_id: str) -> PairCard:
    """One pair as `viewer_id` sees it (an admin who is not in it sees the mentee's view of the
    plan, and of the sessions only the counts)."""
    reader_id = viewer_id if pair.role_of(viewer_id) else pair.mentee_id
    now = services.clock.now()
    with services.sessions() as session:
        upcoming = next_meeting(session, pair, now) if pair.status in OPEN_STATUSES else None
        labels = {m.id: milestone_label(session, m) for m in pair.milestones}
        counts = progress_of(session, pair)
    reader = person(services, client, pair.team_id, reader_id)
    partner = person(services, client, pair.team_id, pair.partner_of(reader_id))
    return _card(pair, reader, partner, labels, upcoming, counts=counts)


def home_data(services: Services, client: WebClient, team_id: str, user_id: str) -> HomeData:
    """Everything the Home tab shows to one person of one workspace."""
    admin = is_admin(services, client, team_id, user_id)
    now = services.clock.now()
    with services.sessions() as session:
        pairs = pairs_for_user(session, team_id, user_id, ALL_STATUSES)
        open_pairs = [p for p in pairs if p.status in OPEN_STATUSES]
        upcoming = next_meetings(session, open_pairs, now)
        labels = milestone_labels(open_pairs)
        overview = program_overview(services, session, team_id, now) if admin else None
        feed_enabled = bool(services.config.server.public_url)
        since = feed_since(session, team_id, user_id) if feed_enabled else None
        intro = not pairs and not home_intro_shown(session, team_id, user_id)
        programs = programs_home(services, client, session, team_id, user_id, overview)
    facts = people(services, client, team_id, [user_id, *(p.partner_of(user_id) for p in pairs)])
    reader = facts[user_id]
    partners = {p.id: facts[p.partner_of(user_id)] for p in pairs}
    with services.sessions() as session:
        sessions = sessions_cards(
            session,
            team_id,
            open_pairs,
            user_id,
            {p.id: {user_id: reader.name, partners[p.id].user_id: partners[p.id].name}
             for p in open_pairs},
            {p.id: reader.tz or p.tz for p in open_pairs},
        )  # fmt: skip
    cards = tuple(
        _card(p, reader, partners[p.id], labels, upcoming[p.id], sessions[p.id]) for p in open_pairs
    )
    past = tuple(
        PastPair(partners[p.id].name, p.role_of(user_id) or "mentee", p.status, p.end_date)
        for p in pairs
        if p.status not in OPEN_STATUSES
    )
    return HomeData(
        cards=cards,
        past=past,
        overview=overview,
        feed_enabled=feed_enabled,
        feed_since=since,
        intro=intro,
        programs=programs,
        overview_counted_at=_counted_at(overview, now),
    )


def _counted_at(overview: ProgramTotals | None, now: datetime) -> datetime | None:
    """When the overview was counted, if that was over a minute ago (a snapshot)."""
    return None if overview is None else counted_at(overview, now)


def publish_home(
    services: Services, client: WebClient, team_id: str, user_id: str, notice: str | None = None
) -> None:
    """Build and publish one person's Home tab, with `notice` at the top when a Home button
    could not do what was asked (a Home button has no message to answer in)."""
    data = home_data(services, client, team_id, user_id)
    if data.intro:  # shown once (claimed first: two quick visits show it once)
        with services.sessions.begin() as session:
            if not record_home_intro(session, team_id, user_id, services.clock.now()):
                data = replace(data, intro=False)
    try:
        client.views_publish(user_id=user_id, view=build_home(data, notice))
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", user_id, exc.response.get("error"))


def refresh_homes(
    services: Services, client: WebClient, team_id: str, user_ids: Iterable[str]
) -> None:
    """Republish the Home tab of each person once (after something they see has changed)."""
    for user_id in dict.fromkeys(user_ids):
        publish_home(services, client, team_id, user_id)


def status_reply(
    services: Services, client: WebClient, team_id: str, user_id: str, pair_id: int
) -> tuple[str, list[Block] | None]:
    """`/mentorship status`: one pair's Home card, read-only (an admin sees whose it is)."""
    pair = authorized_pair(services, client, team_id, user_id, pair_id)
    if pair is None:
        return DENIED, None
    card = card_for(services, client, pair, user_id)
    if pair.role_of(user_id):
        return status_message(card)
    return status_message(card, pair_label(services, client, pair, user_id))
