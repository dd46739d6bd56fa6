"""The app factory: build the Bolt app, wire handlers and services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot.clock import Clock
from bot.config import Config
from bot.services import CONTEXT_KEY, Services

log = logging.getLogger(__name__)


def make_client(config: Config) -> WebClient:
    """A Web API client for the configured Slack (or stand-in) base URL."""
    return WebClient(token=config.slack.bot_token, base_url=config.slack.api_url, timeout=10)


def create_app(
    config: Config,
    *,
    clock: Clock,
    sessions: sessionmaker[Session],
    client: WebClient | None = None,
) -> tuple[App, Services]:
    """Build the Bolt app with every handler registered; return it with its shared services."""
    client = client or make_client(config)
    services = Services(config=config, clock=clock, sessions=sessions, client=client)
    app = App(
        signing_secret=config.slack.signing_secret,
        client=client,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def inject_services(context: BoltContext, next: Callable[[], Any]) -> None:
        context[CONTEXT_KEY] = services
        next()

    app.use(inject_services)
    app.error(on_error)
    handlers.register(app)
    return app, services


def on_error(error: Exception, body: dict[str, Any]) -> None:
    """The one place listener errors are logged, with the traceback."""
    kind = body.get("type") or body.get("command") or "request"
    log.error("unhandled error while handling %s", kind, exc_info=error)
