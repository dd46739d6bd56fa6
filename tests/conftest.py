"""Shared fixtures: fresh databases (SQLite, and PostgreSQL when configured), the Slack
stand-in, and the real app served over HTTP."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Runtime, build_runtime
from bot.core.clock import ManualClock
from bot.core.config import Config, parse_config
from bot.delivery.dispatcher import Dispatcher, DispatchStats
from bot.heartbeat import run_tick
from bot.server import BotServer
from bot.standin import DriverResponse, SlackDriver, SlackStandIn
from storage.db import make_engine, make_sessions
from storage.models import Base
from tests.slack_reference import reference_dir

T = TypeVar("T")
PG_ENV = "MENTORSHIP_TEST_DATABASE_URL"
TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
TEAM = "T0000000001"
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday

# People every scenario can use. Omar (Berlin) mentors Maya (New York) in most stories.
OMAR, MAYA, LENA, KAI, ROBOT, GONE = (
    "U0OMAR0001",
    "U0MAYA0001",
    "U0LENA0001",
    "U0KAI00001",
    "U0ROBOT001",
    "U0GONE0001",
)
MENTORING = "C0MENTOR01"


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
    """Poll until the bot's background work (after an ack) makes `predicate` truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def slack_reference() -> Path:
    """Slack's reference data (see tests/slack_reference.py); skips the test when absent."""
    return reference_dir()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, or None without the env var."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    name = f"mentorship_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path, postgres_url: str | None) -> Iterator[str]:
    """A database URL with an empty schema: SQLite in tmp_path, or the session's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if postgres_url is None:
        pytest.skip(f"{PG_ENV} not set")
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield postgres_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine with the models' tables created."""
    eng = make_engine(db_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessions(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """The Slack stand-in with a small workspace."""
    s = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET, team_id=TEAM, team_domain="acme")
    s.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
    s.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
    s.add_user(LENA, "lena", real_name="Lena", tz="Asia/Tokyo")
    s.add_user(KAI, "kai", real_name="Kai", tz="Pacific/Auckland", is_admin=True)
    s.add_user(ROBOT, "robot", real_name="Robot", is_bot=True)
    s.add_user(GONE, "gone", real_name="Gone", deleted=True)
    s.add_channel(MENTORING, "mentoring")
    s.start()
    yield s
    s.stop()
    assert not s.server_errors, f"the stand-in itself failed: {s.server_errors}"


def make_config(api_url: str, db: str, **sections: dict[str, object]) -> Config:
    """A Config as an operator would write it, with the test secrets."""
    data: dict[str, object] = {"slack": {"api_url": api_url}, "database": {"url": db}}
    data.update(sections)
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    return parse_config(data, env)


@dataclass
class Bot:
    runtime: Runtime
    server: BotServer
    standin: SlackStandIn
    driver: SlackDriver
    clock: ManualClock

    dispatcher: Dispatcher | None = None

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.runtime.services.sessions

    def tick(self) -> DispatchStats:
        """One scheduler heartbeat at the current (manual) time: plan, then send what is due."""
        if self.dispatcher is None:
            self.dispatcher = Dispatcher(self.runtime.services, owner="test-dispatcher")
        return run_tick(self.runtime.services, self.dispatcher)

    def start_plan(
        self, creator: str, values: dict[str, object], text: str = "start"
    ) -> DriverResponse:
        """Run /mentorship start and submit the modal with `values` (by label)."""
        response = self.driver.slash_command(creator, text)
        assert response.status == 200, response.body
        views = wait_for(lambda: self.standin.views_for(creator), what="the plan modal")
        view = views[-1]
        return self.driver.submit_view(creator, view.id, values)


@pytest.fixture
def bot(standin: SlackStandIn, engine: Engine, db_url: str, clock: ManualClock) -> Iterator[Bot]:
    """The real app served by waitress on a free port, talking to the stand-in."""
    config = make_config(standin.api_url, db_url)
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    driver = SlackDriver(
        standin, bot_url=f"http://127.0.0.1:{server.port}/slack/events", signing_secret=SECRET
    )
    yield Bot(runtime=runtime, server=server, standin=standin, driver=driver, clock=clock)
    server.stop()
    runtime.engine.dispose()
