"""Looking people up in Slack, through the database cache."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.plan import PersonFacts
from bot.services import Services
from storage.models import Person
from storage.people import get_person, save_person

log = logging.getLogger(__name__)
FRESH_FOR = timedelta(hours=12)


def lookup_person(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    *,
    max_age: timedelta = FRESH_FOR,
) -> PersonFacts:
    """Facts about a user from the cache when fresh enough, else from `users.info`."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        cached = get_person(session, team_id, user_id)
        if cached is not None and now - cached.refreshed_at <= max_age:
            return _facts(cached)
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "user_not_visible"):
            return PersonFacts(user_id=user_id, name=user_id, exists=False)
        raise
    facts = facts_from_user(user, user_id)
    with services.sessions.begin() as session:
        remember(session, team_id, facts, now)
    return facts


def cached_zone(services: Services, team_id: str, user_id: str) -> str | None:
    """The user's time zone as last seen, however old, without asking Slack (None if unknown).

    For prefilling a form on the 3-second path, where a wrong guess is visible and editable;
    `user_change` events keep it current.
    """
    with services.sessions() as session:
        return session.scalar(
            select(Person.tz).where(Person.team_id == team_id, Person.user_id == user_id)
        )


def _facts(person: Person) -> PersonFacts:
    return PersonFacts(
        user_id=person.user_id,
        name=person.name,
        is_bot=person.is_bot,
        deleted=person.deleted,
        tz=person.tz,
        is_admin=person.is_admin,
    )


def facts_from_user(user: Mapping[str, Any], user_id: str) -> PersonFacts:
    """PersonFacts from a Slack user object (`users.info`, or a `user_change` event)."""
    profile = user.get("profile") or {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or user_id
    )
    return PersonFacts(
        user_id=user_id,
        name=str(name),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )


def remember(session: Session, team_id: str, facts: PersonFacts, now: datetime) -> None:
    """Store a user's facts in the cache."""
    save_person(
        session,
        team_id=team_id,
        user_id=facts.user_id,
        name=facts.name,
        tz=facts.tz,
        deleted=facts.deleted,
        is_bot=facts.is_bot,
        is_admin=facts.is_admin,
        now=now,
    )
