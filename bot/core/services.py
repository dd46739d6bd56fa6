"""What listeners and ticks share: configuration, the clock, database sessions, Slack client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.slack import ClientPool, make_client

CONTEXT_KEY = "mentorship_services"


class Waker:
    """Lets a listener ask the scheduler (when this process runs one) to tick now: to send
    what was just queued, and to plan too unless `plan=False` (the caller planned what it
    changed itself)."""

    def __init__(self) -> None:
        self._fn: Callable[[bool, Mapping[str, Any] | None], None] | None = None
        self._lock = threading.Lock()

    def set(self, fn: Callable[[bool, Mapping[str, Any] | None], None] | None) -> None:
        """Install (or remove) the function that triggers a tick."""
        with self._lock:
            self._fn = fn

    def __call__(self, plan: bool = True, messages: Mapping[str, Any] | None = None) -> None:
        """Tick now; `messages` (rendered messages by occurrence key) are the just-queued rows'
        messages, built by the caller, which that tick then sends without rendering them."""
        with self._lock:
            fn = self._fn
        if fn is not None:
            fn(plan, messages)


class InHand:
    """New pairs this process is planning now (their first weeks, bot/plans/first_weeks.py):
    this process's scheduler tick leaves them, and their pending messages, to that planning,
    which would otherwise find them planned and claimed and have done its work for nothing.
    Only a saving: any other process's tick, or this one's once they are out of hand (planned,
    failed, dropped), takes what they leave."""

    MAX_HELD = 1000  # pairs a tick's queries leave, at most

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    def add(self, pair_id: int) -> None:
        with self._lock:
            self._ids.add(pair_id)

    def discard(self, pair_ids: Iterable[int]) -> None:
        with self._lock:
            self._ids.difference_update(pair_ids)

    def ids(self) -> frozenset[int]:
        """The pairs in hand, at most MAX_HELD of them: a tick's queries list them, and past
        that a tick may take the others, which is safe, only costlier."""
        with self._lock:
            return frozenset(islice(self._ids, self.MAX_HELD))


class Answering:
    """The requests from Slack this process is answering now. Work nobody waits on (a new
    pair's first weeks and summaries, bot/plans/first_weeks.py) waits out a burst, two
    requests or more at once, for a bounded time (`wait_out_burst`): alongside a burst of
    submissions it took a few percent of the CPU and a fifth of the answers' p99
    (bench/README.md, "Seventeenth pass"). One request at a time is no burst: the next
    person's summary does not wait for it."""

    BURST = 2  # requests being answered at once

    def __init__(self) -> None:
        self._calm = threading.Condition(threading.Lock())
        self._count = 0
        self._stopping = False

    @contextmanager
    def request(self) -> Iterator[None]:
        """While one request is being answered."""
        with self._calm:
            self._count += 1
        try:
            yield
        finally:
            with self._calm:
                self._count -= 1
                if self._count < self.BURST:
                    self._calm.notify_all()

    def wait_out_burst(self, longest: float) -> bool:
        """Wait while a burst is being answered, at most `longest` seconds, and not at all once
        the process is stopping; whether the burst is over."""
        with self._calm:
            return self._calm.wait_for(lambda: self._count < self.BURST or self._stopping, longest)

    def stop(self) -> None:
        """The process is stopping: nothing waits out a burst any more."""
        with self._calm:
            self._stopping = True
            self._calm.notify_all()


class RecentlySeen:
    """Keys confirmed within the last `ttl` seconds of real time, in this process.

    Saves a database read on every request for facts that rarely change (a workspace being
    active); `forget` drops a key at once when this process learns it changed. A key confirmed
    longer ago is still `known`, and `due` for a check: given to one caller at a time, until
    the key is confirmed again (`add`), forgotten, or the check is `released` (it failed).
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._seen: dict[str, float] = {}
        self._checking: set[str] = set()
        self._lock = threading.Lock()

    def __contains__(self, key: str) -> bool:
        with self._lock:
            at = self._seen.get(key)
        return at is not None and time.monotonic() - at < self.ttl

    def known(self, key: str) -> bool:
        """Confirmed at some time, and not forgotten since."""
        with self._lock:
            return key in self._seen

    def due(self, key: str) -> bool:
        """True, to one caller at a time, when `key` was confirmed but not within `ttl`: that
        caller checks it again. False for a key never confirmed (or forgotten), or recent."""
        with self._lock:
            at = self._seen.get(key)
            if at is None or time.monotonic() - at < self.ttl or key in self._checking:
                return False
            self._checking.add(key)
            return True

    def add(self, key: str) -> None:
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen.clear()
                self._checking.clear()
            self._seen[key] = time.monotonic()
            self._checking.discard(key)

    def forget(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)
            self._checking.discard(key)

    def release(self, key: str) -> None:
        """The check `due` gave could not be made: the next caller is given it."""
        with self._lock:
            self._checking.discard(key)


@dataclass(frozen=True)
class Services:
    """Shared by listeners and ticks. `client` is the single-workspace client; use
    `client_for(team_id)` wherever a team is known (it holds that workspace's token)."""

    config: Config
    clock: Clock
    sessions: sessionmaker[Session]
    client: WebClient
    waker: Waker = field(default_factory=Waker)
    in_hand: InHand = field(default_factory=InHand)
    answering: Answering = field(default_factory=Answering)
    clients: ClientPool | None = None
    post_clients: ClientPool | None = None
    installation_store: Any = None
    active_teams: RecentlySeen = field(default_factory=lambda: RecentlySeen(ttl=10.0))
    # The table of delivery kinds (bot/kinds.py), filled by the app factory. Typed loosely so
    # that the core imports no feature; `bot.delivery.render.kind_of` checks each entry.
    kinds: Mapping[str, object] = field(default_factory=dict)

    def client_for(self, team_id: str) -> WebClient:
        """A client with `team_id`'s bot token (retries where safe)."""
        return self.clients.for_team(team_id) if self.clients is not None else self.client

    def post_client_for(self, team_id: str) -> WebClient:
        """A client for posting outbox messages: no automatic retries (a repeat could post twice)."""
        if self.post_clients is not None:
            return self.post_clients.for_team(team_id)
        return make_client(self.config.slack.bot_token, self.config.slack.api_url, retries=False)


def services_of(context: Any) -> Services:
    """The Services placed in a Bolt context by the app's middleware."""
    services = context[CONTEXT_KEY]
    assert isinstance(services, Services)
    return services
