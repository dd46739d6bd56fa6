"""What listeners and ticks share: configuration, the clock, database sessions, Slack client."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.slack_client import ClientPool, make_client

CONTEXT_KEY = "mentorship_services"


class Waker:
    """Lets a listener ask the scheduler (when this process runs one) to tick now."""

    def __init__(self) -> None:
        self._fn: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def set(self, fn: Callable[[], None] | None) -> None:
        """Install (or remove) the function that triggers a tick."""
        with self._lock:
            self._fn = fn

    def __call__(self) -> None:
        with self._lock:
            fn = self._fn
        if fn is not None:
            fn()


@dataclass(frozen=True)
class Services:
    """Shared by listeners and ticks. `client` is the single-workspace client; use
    `client_for(team_id)` wherever a team is known (it holds that workspace's token)."""

    config: Config
    clock: Clock
    sessions: sessionmaker[Session]
    client: WebClient
    waker: Waker = field(default_factory=Waker)
    clients: ClientPool | None = None
    post_clients: ClientPool | None = None
    installation_store: Any = None

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
