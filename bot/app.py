"""The app factory: the Bolt app with handlers and services (`create_app`), and a running bot
assembled from configuration: clock, database, app, server (`build_runtime`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import handlers
from bot.core.clock import Clock, RealClock, SimulatedClock
from bot.core.config import ClockConfig, Config
from bot.core.services import CONTEXT_KEY, Services, Waker
from bot.core.slack import ClientPool, InstalledTokens, SingleToken, TokenSource, make_client
from bot.kinds import KINDS
from bot.server import BotServer, HealthExtra, make_wsgi
from bot.workspaces.activity import reactivate_on_traffic
from bot.workspaces.oauth import InstallFlow, build_oauth
from storage.db import check_schema, make_engine, make_sessions

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
    waker = Waker()
    oauth = build_oauth(config, sessions.kw["bind"], clock, waker) if slack.oauth_enabled else None
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
        kinds=KINDS,
        waker=waker,
    )
    app = App(
        signing_secret=slack.signing_secret,
        client=client,
        oauth_flow=InstallFlow(settings=oauth) if oauth else None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def before_listeners(
        context: BoltContext, body: dict[str, Any], next: Callable[[], Any]
    ) -> None:
        context[CONTEXT_KEY] = services
        reactivate_on_traffic(services, context, body)
        next()

    app.use(before_listeners)
    app.error(on_error)
    handlers.register(app)
    return app, services


def on_error(error: Exception, body: dict[str, Any]) -> None:
    """The one place listener errors are logged, with the traceback."""
    kind = body.get("type") or body.get("command") or "request"
    log.error("unhandled error while handling %s", kind, exc_info=error)


def make_clock(config: ClockConfig) -> Clock:
    """Real time, or the simulated clock configured under [clock]."""
    if config.start is None:
        return RealClock()
    return SimulatedClock(config.start, config.speed)


@dataclass
class Runtime:
    config: Config
    engine: Engine
    app: App
    services: Services

    def server(
        self,
        host: str | None = None,
        port: int | None = None,
        health: HealthExtra | None = None,
    ) -> BotServer:
        """A waitress server for this runtime's app."""
        wsgi = make_wsgi(self.app, self.services, health)
        return BotServer(
            wsgi,
            host or self.config.server.host,
            self.config.server.port if port is None else port,
            threads=self.config.server.threads,
        )


def build_runtime(config: Config, *, clock: Clock | None = None, check: bool = True) -> Runtime:
    """Engine, sessions, clock and app for `config`; refuses an outdated schema when `check`."""
    engine = make_engine(config.database_url)
    if check:
        check_schema(engine)
    app, services = create_app(
        config, clock=clock or make_clock(config.clock), sessions=make_sessions(engine)
    )
    return Runtime(config=config, engine=engine, app=app, services=services)
