"""What listeners and ticks share: configuration, the clock, database sessions, Slack client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Config

CONTEXT_KEY = "mentorship_services"


@dataclass(frozen=True)
class Services:
    config: Config
    clock: Clock
    sessions: sessionmaker[Session]
    client: WebClient


def services_of(context: Any) -> Services:
    """The Services placed in a Bolt context by the app's middleware."""
    services = context[CONTEXT_KEY]
    assert isinstance(services, Services)
    return services
