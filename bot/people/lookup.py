"""Looking people up in Slack, through the database cache."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.core.text import clip
from bot.domain.plan import PersonFacts
from storage.db import autocommit_connection
from storage.models import NAME_MAX, TZ_MAX, Person
from storage.people import CachedFacts, cached_facts, save_people, save_person

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
    return lookup_people(services, client, team_id, [user_id], max_age=max_age)[user_id]


@dataclass(frozen=True)
class Looked:
    """Facts about several users, and those Slack has just told about (for the cache)."""

    facts: dict[str, PersonFacts]
    fetched: tuple[PersonFacts, ...]
    at: datetime

    def remember(self, session: Session, team_id: str) -> None:
        """Cache what Slack said, in the caller's transaction (one statement)."""
        save_people(session, team_id, self.to_save(), self.at)

    def to_save(self) -> list[dict[str, Any]]:
        """What Slack said, as `save_people` takes it (each person once)."""
        return [asdict(f) for f in self.fetched]


# users.info for two or three people at once (a plan's mentor and mentee): asked in parallel.
_ASK = ThreadPoolExecutor(max_workers=4, thread_name_prefix="users-info")


def fetch_people(
    services: Services,
    client: WebClient,
    team_id: str,
    user_ids: Iterable[str],
    *,
    max_age: timedelta = FRESH_FOR,
) -> Looked:
    """Facts about several users: one read of the cache, `users.info` (in parallel) for each
    one missing or older than `max_age`; nothing written (see `Looked.remember`).

    When Slack can't answer (a 429, an error, no connection) for someone the cache knows, the
    older facts serve and the failure is logged: a lookup never makes a person wait for a
    Retry-After (the retry handlers leave `users.info` alone, see `bot/core/slack.py`).
    Only for someone never seen does the error reach the caller."""
    now = services.clock.now()
    wanted = list(dict.fromkeys(user_ids))
    found: dict[str, PersonFacts] = {}
    stale: dict[str, PersonFacts] = {}
    with autocommit_connection(services.sessions.kw["bind"]) as conn:  # one round trip
        for cached in cached_facts(conn, team_id, wanted):
            facts = facts_from_cache(cached)
            if now - cached.refreshed_at <= max_age:
                found[cached.user_id] = facts
            else:
                stale[cached.user_id] = facts
    missing = [u for u in wanted if u not in found]
    if len(missing) > 1:
        asked = list(_ASK.map(lambda u: _ask(client, u), missing))
    else:
        asked = [_ask(client, u) for u in missing]
    fetched: list[PersonFacts] = []
    for user_id, answer in zip(missing, asked, strict=True):
        if isinstance(answer, PersonFacts):
            found[user_id] = answer
            if answer.exists:
                fetched.append(answer)
        elif user_id in stale:
            log.info("users.info %s: %s; using older facts", user_id, _what(answer))
            found[user_id] = stale[user_id]
        else:
            raise answer
    return Looked({u: found[u] for u in wanted}, tuple(fetched), now)


def _ask(client: WebClient, user_id: str) -> PersonFacts | SlackApiError | OSError:
    """One `users.info`: the facts (someone Slack does not know: `exists=False`), or the
    error."""
    try:
        return facts_from_user(client.users_info(user=user_id)["user"], user_id)
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "user_not_visible"):
            return PersonFacts(user_id=user_id, name=user_id, exists=False)
        return exc
    except OSError as exc:  # URLError and friends: no answer at all
        return exc


def _what(error: SlackApiError | OSError) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "error")
    return type(error).__name__


def lookup_people(
    services: Services,
    client: WebClient,
    team_id: str,
    user_ids: Iterable[str],
    *,
    max_age: timedelta = FRESH_FOR,
) -> dict[str, PersonFacts]:
    """`fetch_people`, and what Slack said cached in one write."""
    looked = fetch_people(services, client, team_id, user_ids, max_age=max_age)
    if looked.fetched:
        with services.sessions.begin() as session:
            looked.remember(session, team_id)
    return looked.facts


def person(services: Services, client: WebClient, team_id: str, user_id: str) -> PersonFacts:
    """Cached facts about a user; a Slack error leaves just the id (the Home still renders)."""
    try:
        return lookup_person(services, client, team_id, user_id)
    except SlackApiError as exc:
        log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
        return PersonFacts(user_id=user_id, name=user_id)


def people(
    services: Services, client: WebClient, team_id: str, user_ids: Iterable[str]
) -> dict[str, PersonFacts]:
    """`person` of several users, with one read of the cache for all of them."""
    wanted = list(dict.fromkeys(user_ids))
    try:
        return lookup_people(services, client, team_id, wanted)
    except SlackApiError:  # someone never seen whom Slack would not describe: one at a time
        return {user_id: person(services, client, team_id, user_id) for user_id in wanted}


SLACK_BUSY = (
    "Slack asked me to slow down, so I couldn't check this with Slack just now. "
    "Nothing was saved: press the button again in a few seconds."
)
SLACK_UNREACHABLE = (
    "I couldn't reach Slack just now ({error}). "
    "Nothing was saved: press the button again in a moment."
)


def people_for_form(
    services: Services, team_id: str, user_ids: Iterable[str], *, max_age: timedelta
) -> dict[str, PersonFacts] | str:
    """Facts for checking a submitted form (cached at once), or the field error to show when
    Slack can't answer (see `looked_for_form`)."""
    looked = looked_for_form(services, team_id, user_ids, max_age=max_age)
    if isinstance(looked, str):
        return looked
    if looked.fetched:
        with services.sessions.begin() as session:
            looked.remember(session, team_id)
    return looked.facts


def looked_for_form(
    services: Services, team_id: str, user_ids: Iterable[str], *, max_age: timedelta
) -> Looked | str:
    """Facts for checking a submitted form, to be cached in the transaction that stores it
    (`Looked.remember`), or the field error to show when Slack can't answer.

    A form must be answered within 3 seconds: no automatic retries (sleeping through a 429's
    Retry-After would miss them), and any Slack or network failure becomes a message asking the
    person to submit again, with nothing changed.
    """
    try:
        return fetch_people(
            services,
            services.post_client_for(team_id),
            team_id,
            [u for u in user_ids if u],
            max_age=max_age,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown error")
        if exc.response.status_code == 429 or error == "ratelimited":
            log.warning("users.info rate-limited while checking a form; asked to submit again")
            return SLACK_BUSY
    except OSError as exc:
        error = type(exc).__name__
    log.warning("users.info failed while checking a form (%s); asked to submit again", error)
    return SLACK_UNREACHABLE.format(error=error)


def facts_from_cache(person: Person | CachedFacts) -> PersonFacts:
    """PersonFacts from a cached row (an ORM object, or the facts `cached_facts` read)."""
    return PersonFacts(
        user_id=person.user_id,
        name=person.name,
        is_bot=person.is_bot,
        deleted=person.deleted,
        tz=person.tz,
        is_admin=person.is_admin,
    )


def facts_from_user(user: Mapping[str, Any], user_id: str) -> PersonFacts:
    """PersonFacts from a Slack user object (`users.info`, or a `user_change` event).

    Flags count only when Slack sent a JSON `true`: a string such as "false" is not a
    deactivation (see `flag_is_known`)."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or user_id
    )
    tz = user.get("tz")
    return PersonFacts(
        user_id=user_id,
        # Cached in bounded columns: a name is clipped, a time zone too long to be one dropped.
        name=clip(str(name).replace("\x00", ""), NAME_MAX),
        is_bot=user.get("is_bot") is True or user_id == "USLACKBOT",
        deleted=user.get("deleted") is True,
        tz=tz if isinstance(tz, str) and 0 < len(tz) <= TZ_MAX and "\x00" not in tz else None,
        is_admin=user.get("is_admin") is True or user.get("is_owner") is True,
    )


def flag_is_known(user: Mapping[str, Any], key: str) -> bool:
    """Whether a user object says something about `key`: a JSON boolean, not a string or a
    number (which no Slack payload carries: the cached value stands)."""
    return isinstance(user.get(key), bool)


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
