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
from bot.oauth import InstallFlow, build_oauth
from bot.services import CONTEXT_KEY, Services
from bot.slack_client import ClientPool, InstalledTokens, SingleToken, TokenSource, make_client
from handlers.workspace import reactivate_on_traffic

log = logging.getLogger(__name__)


def create_app(
    config: Config,
    *,
    clock: Clock,
    sessions: sessionmaker[Session],
    client: WebClient | None = None,
) -> tuple[App, Services]:
    """Build the Bolt app with every handler registered; return it with its shared services.

    With SLACK_CLIENT_ID/SLACK_CLIENT_SECRET the app serves OAuth installs for many workspaces
    and keeps installations in the database; otherwise it uses the one SLACK_BOT_TOKEN.
    """
    slack = config.slack
    oauth = build_oauth(config, sessions.kw["bind"]) if slack.oauth_enabled else None
    tokens: TokenSource = (
        InstalledTokens(oauth.installation_store) if oauth else SingleToken(slack.bot_token)
    )
    client = client or make_client(None if oauth else slack.bot_token, slack.api_url)
    services = Services(
        config=config,
        clock=clock,
        sessions=sessions,
        client=client,
        clients=ClientPool(tokens, slack.api_url),
        post_clients=ClientPool(tokens, slack.api_url, retries=False),
        installation_store=oauth.installation_store if oauth else None,
    )
    app = App(
        signing_secret=slack.signing_secret,
        client=client,
        oauth_flow=InstallFlow(settings=oauth) if oauth else None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def before_listeners(context: BoltContext, next: Callable[[], Any]) -> None:
        context[CONTEXT_KEY] = services
        reactivate_on_traffic(services, context)
        next()

    app.use(before_listeners)
    app.error(on_error)
    handlers.register(app)
    return app, services


def on_error(error: Exception, body: dict[str, Any]) -> None:
    """The one place listener errors are logged, with the traceback."""
    kind = body.get("type") or body.get("command") or "request"
    log.error("unhandled error while handling %s", kind, exc_info=error)
