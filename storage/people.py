"""The cache of Slack user facts (time zone, DM channel, deactivated, bot)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Pair, Person


def get_person(session: Session, team_id: str, user_id: str) -> Person | None:
    """The cached facts about a user, if any."""
    return session.get(Person, (team_id, user_id))


def get_people(session: Session, team_id: str, user_ids: Iterable[str]) -> list[Person]:
    """The cached facts about several users, in one query (those the cache has)."""
    ids = list(user_ids)
    return list(
        session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id.in_(ids)))
    )


def save_person(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    name: str,
    tz: str | None,
    deleted: bool,
    is_bot: bool,
    is_admin: bool,
    now: datetime,
) -> Person:
    """Insert or refresh a user's cached facts."""
    person = session.get(Person, (team_id, user_id))
    if person is None:
        person = Person(team_id=team_id, user_id=user_id)
        session.add(person)
    person.name, person.tz, person.deleted = name, tz, deleted
    person.is_bot, person.is_admin, person.refreshed_at = is_bot, is_admin, now
    return person


def set_dm_channel(session: Session, team_id: str, user_id: str, channel_id: str) -> None:
    """Remember the bot's DM channel with a user."""
    person = session.get(Person, (team_id, user_id))
    if person is not None:
        person.dm_channel_id = channel_id


def zones_for(session: Session, pair: Pair) -> dict[str, str]:
    """Each participant's time zone (cached from Slack), falling back to the plan's."""
    cached = {
        p.user_id: p.tz for p in get_people(session, pair.team_id, (pair.mentee_id, pair.mentor_id))
    }
    return {u: cached.get(u) or pair.tz for u in (pair.mentee_id, pair.mentor_id)}
