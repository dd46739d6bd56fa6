"""A person's private calendar subscription (HTTP mode): `GET /calendar/<token>.ics` serves all
of that person's mentorships in one calendar, kept current by itself.

The token is random (256 bits) and shown once, in the person's DM; only its SHA-256 is stored.
A new link revokes the old one, revoking answers 404 from then on, and a token only ever reads
its own person's pairs in its own workspace. Serving reads the database and the people cache,
never Slack.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date

from icalendar import Calendar
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.documents import messages as say
from bot.documents.series import open_in_slack, pair_series
from bot.domain.calendar import PRODID, series_calendar, series_problems
from storage.documents import (
    active_feed,
    ensure_document,
    feed_by_hash,
    get_document,
    pair_meetings,
    replace_feed,
    revoke_feeds,
)
from storage.models import ALL_STATUSES
from storage.pairs import pairs_for_user
from storage.people import get_people

FEED_PREFIX, FEED_SUFFIX = "/calendar/", ".ics"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
CALENDAR_NAME = "Mentorship meetings"


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(public_url: str, token: str) -> str:
    """The subscription address for a token."""
    return f"{public_url.rstrip('/')}{FEED_PREFIX}{token}{FEED_SUFFIX}"


def feed_since(session: Session, team_id: str, user_id: str) -> date | None:
    """When the person's live subscription link was made (None: they have none)."""
    feed = active_feed(session, team_id, user_id)
    return None if feed is None else feed.created_at.date()


def new_feed_link(services: Services, team_id: str, user_id: str) -> str:
    """A fresh private link (any earlier one stops working): the DM that shows it once."""
    public_url = services.config.server.public_url
    if not public_url:
        return "Calendar links need the bot's public address (`[server] public_url`)."
    token = secrets.token_urlsafe(32)
    with services.sessions.begin() as session:
        replace_feed(session, team_id, user_id, token_hash(token), services.clock.now())
    return say.feed_link_text(feed_url(public_url, token))


def revoke_feed_link(services: Services, team_id: str, user_id: str) -> str:
    """Stop the person's link: subscribed calendars get 404 from now on."""
    with services.sessions.begin() as session:
        revoked = revoke_feeds(session, team_id, user_id, services.clock.now())
    return say.FEED_REVOKED if revoked else say.FEED_NONE


def feed_calendar(services: Services, path: str) -> bytes | None:
    """The calendar a subscription path serves; None (404) for an unknown or revoked token."""
    token = path.removeprefix(FEED_PREFIX).removesuffix(FEED_SUFFIX)
    if not path.startswith(FEED_PREFIX) or not path.endswith(FEED_SUFFIX) or not TOKEN.match(token):
        return None
    now = services.clock.now()
    with services.sessions() as session:
        feed = feed_by_hash(session, token_hash(token))
        if feed is None:
            return None
        team_id, user_id = feed.team_id, feed.user_id
        pairs = pairs_for_user(session, team_id, user_id, ALL_STATUSES)
        found = {p.id: get_document(session, team_id, p.id) for p in pairs}
        keys = {pair_id: doc.uid_key for pair_id, doc in found.items() if doc is not None}
    if len(keys) < len(pairs):  # a pair never asked for a file: its UID key, made once
        with services.sessions.begin() as session:
            for pair in pairs:
                keys[pair.id] = ensure_document(session, team_id, pair.id, now).uid_key
    calendar = Calendar()
    for prop, value in (
        ("prodid", PRODID),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("x-wr-calname", CALENDAR_NAME),
    ):
        calendar.add(prop, value)
    first, last = date.max, date.min
    with services.sessions() as session:
        wanted = {u for p in pairs for u in (p.mentee_id, p.mentor_id)}
        people = {p.user_id: p for p in get_people(session, team_id, wanted)}
        link = open_in_slack(team_id, people[user_id].dm_channel_id if user_id in people else None)
        for pair in pairs:
            mentee, mentor = (
                people[u].name if u in people and people[u].name else "?"
                for u in (pair.mentee_id, pair.mentor_id)
            )
            series = pair_series(
                pair,
                pair_meetings(session, team_id, pair.id),
                names=(mentee, mentor),
                uid_key=keys[pair.id],
                now=now,
                link=link,
            )
            if series_problems(series):
                continue
            for component in series_calendar(series).walk("VEVENT"):
                calendar.add_component(component)
            first, last = min(first, pair.start_date), max(last, pair.end_date)
    if first <= last:  # one VTIMEZONE per zone, covering every pair's dates
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 2, 1, 1)
        )
    return bytes(calendar.to_ical())
