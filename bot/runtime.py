"""Assemble a running bot from configuration: clock, database, app, server."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from sqlalchemy import Engine

from bot.app import create_app
from bot.core.clock import Clock, RealClock, SimulatedClock
from bot.core.config import ClockConfig, Config
from bot.core.services import Services
from bot.server import BotServer, HealthExtra, make_wsgi
from storage.db import check_schema, make_engine, make_sessions


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
