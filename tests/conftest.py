"""Shared fixtures: fresh databases (SQLite, and PostgreSQL when configured), the Slack
stand-in, the real app served over HTTP, and two OAuth workspaces. Helpers live in tests/kit/."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.standin import SlackDriver, SlackStandIn
from bot.standin.router import TeamRouter
from storage.db import make_engine, make_sessions
from storage.models import Base
from tests.kit.oauth import CLIENT_ID, CLIENT_SECRET, Org, oauth_workspace
from tests.kit.reference import reference_dir
from tests.kit.workspace import (
    GONE,
    KAI,
    LENA,
    MAYA,
    MENTORING,
    OMAR,
    PG_ENV,
    ROBOT,
    SECRET,
    START,
    TEAM,
    TOKEN,
    Bot,
    make_config,
    stop_serving,
)


@pytest.fixture
def slack_reference() -> Path:
    """Slack's reference data (see tests/kit/reference.py); skips the test when absent."""
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


@pytest.fixture
def admin() -> Iterator[Engine]:
    """PostgreSQL's server, outside the test's own database (it survives a restart, and can end
    the test's connections)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} not set")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


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
    stop_serving(runtime, server)


@pytest.fixture
def org(engine: Engine, db_url: str, clock: ManualClock) -> Iterator[Org]:
    a, b = (
        oauth_workspace("T0AAAAAAA1", "xoxb-team-a"),
        oauth_workspace("T0BBBBBBB1", "xoxb-team-b"),
    )
    router = TeamRouter([a, b]).start()
    env = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    }
    config = parse_config({"slack": {"api_url": router.api_url}, "database": {"url": db_url}}, env)
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    yield Org(runtime, server, a, b, clock, f"http://127.0.0.1:{server.port}")
    stop_serving(runtime, server)
    router.stop()
    a.stop()
    b.stop()
