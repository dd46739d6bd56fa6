"""People as scheduled messages see them: the cache at any age, refreshed within a budget.

`users.info` is Slack Tier 4 (about 100 calls a minute per workspace), and the people cache counts
as fresh for 12 hours (`bot.people.FRESH_FOR`), so before a weekly nudge it is always stale.
Asking Slack for every stale entry made `users.info`, not `chat.postMessage` (600 a minute),
set the pace of a backlog: 1.6 nudges/s instead of 10. So rendering never waits for Slack when
the cache knows the person: `user_change` events keep the cached name, time zone and
deactivation current (handlers/people.py), and a stale entry is refreshed only while this
process's budget lasts (`REFRESH_PER_MINUTE` per workspace, well under Tier 4, which leaves the
rest for the interactive paths that share it), with the stale facts used when it is spent or
Slack says no. Only a person never seen before is looked up before the message is built.

A bulk refresh (`users.list`, Tier 2, up to 1,000 people a page) was the other option: it reads
the whole workspace to refresh the few people in mentorships, and its pages would compete with
the sends in the same tick. The budget refreshes exactly the people being written to.
Several worker processes each have their own budget: two stay under Tier 4.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.plan import PersonFacts
from bot.people.lookup import FRESH_FOR, facts_from_cache, facts_from_user, lookup_person, remember
from storage.models import Person
from storage.people import get_people, get_person

log = logging.getLogger(__name__)

REFRESH_PER_MINUTE = 40.0
REFRESH_BURST = 10


class RefreshBudget:
    """A token bucket per workspace, in real time, for `users.info` calls that only refresh."""

    def __init__(
        self,
        per_minute: float = REFRESH_PER_MINUTE,
        burst: int = REFRESH_BURST,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.monotonic = per_minute / 60.0, float(burst), monotonic
        self._buckets: dict[str, tuple[float, float]] = {}  # team: (tokens, at)
        self._lock = threading.Lock()

    def take(self, team_id: str) -> bool:
        """Spend one call for `team_id` if the budget has one."""
        with self._lock:
            now = self.monotonic()
            tokens, at = self._buckets.get(team_id, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[team_id] = (tokens, now)
                return False
            self._buckets[team_id] = (tokens - 1.0, now)
            return True

    def hold(self, team_id: str, seconds: float) -> None:
        """Spend nothing for `seconds` (Slack answered 429 with that Retry-After)."""
        with self._lock:
            # Tokens that refill to zero only after `seconds`: the next take waits that long.
            self._buckets[team_id] = (-seconds * self.rate, self.monotonic())


def person_for_message(
    services: Services, session: Session, budget: RefreshBudget, team_id: str, user_id: str
) -> PersonFacts:
    """A person's facts for a scheduled message: cached facts of any age, refreshed from Slack
    when stale and the budget allows; `users.info` first only for someone never seen."""
    cached = get_person(session, team_id, user_id)
    return _from_cache(services, budget, team_id, user_id, cached)


def people_for_message(
    services: Services,
    session: Session,
    budget: RefreshBudget,
    team_id: str,
    user_ids: Sequence[str],
    known: dict[Any, Any] | None = None,
) -> list[PersonFacts]:
    """`person_for_message` for several people, their cache entries read in one query.

    With `known` (a reading's memo, see `preload_people`): entries read ahead are not read
    again, and each person's facts are worked out once (a stale entry refreshed at most once)."""
    memo: dict[Any, Any] = {} if known is None else known
    missing = [
        u for u in user_ids if (_FACTS, team_id, u) not in memo and (Person, team_id, u) not in memo
    ]
    if missing:
        preload_people(session, team_id, missing, memo)
    out = []
    for u in user_ids:
        facts = memo.get((_FACTS, team_id, u))
        if facts is None:
            facts = _from_cache(services, budget, team_id, u, memo.get((Person, team_id, u)))
            memo[(_FACTS, team_id, u)] = facts
        out.append(facts)
    return out


_FACTS = "facts"


def preload_people(
    session: Session, team_id: str, user_ids: Iterable[str], known: dict[Any, Any]
) -> None:
    """Read several people's cache entries in one query into `known` (a reading's memo)."""
    ids = sorted({u for u in user_ids if (Person, team_id, u) not in known})
    if not ids:
        return
    found = {p.user_id: p for p in get_people(session, team_id, ids)}
    for u in ids:
        known[(Person, team_id, u)] = found.get(u)


def _from_cache(
    services: Services, budget: RefreshBudget, team_id: str, user_id: str, cached: Person | None
) -> PersonFacts:
    if cached is None:
        return lookup_person(services, services.client_for(team_id), team_id, user_id)
    facts = facts_from_cache(cached)
    if services.clock.now() - cached.refreshed_at <= FRESH_FOR or not budget.take(team_id):
        return facts
    return _refresh(services, budget, team_id, facts)


def _refresh(
    services: Services, budget: RefreshBudget, team_id: str, stale: PersonFacts
) -> PersonFacts:
    # The outbox's client has no retry handlers: a 429 must not make the tick sleep.
    client = services.post_client_for(team_id)
    try:
        user = client.users_info(user=stale.user_id)["user"]
    except SlackApiError as exc:
        if exc.response.status_code == 429:
            budget.hold(team_id, float(exc.response.headers.get("Retry-After", "60") or 60))
        log.info(
            "users.info %s: %s; using the cached facts",
            stale.user_id,
            exc.response.get("error") or exc.response.status_code,
        )
        return stale
    except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
        log.info("users.info %s: %s; using the cached facts", stale.user_id, type(exc).__name__)
        return stale
    fresh = facts_from_user(user, stale.user_id)
    with services.sessions.begin() as session:
        remember(session, team_id, fresh, services.clock.now())
    return fresh
