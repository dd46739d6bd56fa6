"""GET /healthz as a load balancer sees it: 503 when the scheduler stops ticking, and 200 on a
schema newer than this version knows only when the difference is additive (a rolling upgrade
must not take every old instance out); `serve` and `doctor` judge the schema the same way."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.app import Runtime, build_runtime
from bot.core.clock import ManualClock
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.stats import DispatchStats
from bot.heartbeat import Heartbeat
from bot.ops.doctor import check_database
from bot.server import HealthExtra, make_wsgi
from storage.db import SchemaOutdated, check_schema, head_revision, upgrade
from tests.kit.workspace import make_config, wait_for

API = "http://127.0.0.1:9/api/"


def healthz(runtime: Runtime, extra: HealthExtra | None = None) -> tuple[int, dict[str, Any]]:
    wsgi = make_wsgi(runtime.app, runtime.services, extra)
    seen: list[str] = []
    body = b"".join(
        wsgi(
            {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"},
            lambda status, headers: seen.append(status),
        )
    )
    return int(seen[0].split()[0]), json.loads(body)


@pytest.fixture
def migrated(db_url: str, clock: ManualClock) -> Iterator[tuple[Runtime, Engine]]:
    """A database at this version's head (through the migrations) and a runtime on it."""
    upgrade(db_url)
    runtime = build_runtime(make_config(API, db_url), clock=clock, check=False)
    admin = create_engine(db_url)
    yield runtime, admin
    admin.dispose()
    runtime.engine.dispose()


class Stuck(Dispatcher):
    """A dispatcher whose tick hangs until let go (a call that never returns)."""

    gate = threading.Event()

    def tick(self, max_batches: int | None = None) -> DispatchStats:
        self.gate.wait(timeout=10)
        return super().tick(max_batches)


def _wait_status(runtime: Runtime, heartbeat: Heartbeat, status: int) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        code, body = healthz(runtime, heartbeat.health)
        if code == status or time.monotonic() > deadline:
            assert code == status, body
            return body
        time.sleep(0.05)


def test_a_scheduler_that_stopped_ticking_is_503(migrated: tuple[Runtime, Engine]) -> None:
    runtime, _ = migrated
    stuck = Stuck(runtime.services)
    stuck.gate.clear()
    heartbeat = Heartbeat(runtime.services, stuck, tick_seconds=0.05, stale_after=0.5)
    heartbeat.start()
    try:
        code, body = healthz(runtime, heartbeat.health)
        assert code == 200 and body["scheduler"] == "running", body  # a tick just began
        body = _wait_status(runtime, heartbeat, 503)  # ...and never ends
        assert "no tick for" in body["scheduler_error"] and body["status"] == "error"
        stuck.gate.set()
        body = _wait_status(runtime, heartbeat, 200)
        assert body["seconds_since_tick"] < 0.5
        wait_for(lambda: heartbeat.last_tick is not None, what="the tick to end")
    finally:
        stuck.gate.set()
        heartbeat.stop()
    code, body = healthz(runtime, heartbeat.health)
    assert code == 503 and body["scheduler_error"] == "the scheduler is not running"


def _stamp(admin: Engine, revision: str) -> None:
    with admin.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_newer_schema_is_healthy_only_when_additive(
    migrated: tuple[Runtime, Engine], db_url: str
) -> None:
    runtime, admin = migrated
    code, body = healthz(runtime)
    assert (code, body["schema"]) == (200, head_revision()) and "schema_note" not in body

    # A later release migrated the database: a new table, new nullable and defaulted
    # columns, a new index. This version never reads or writes them: it stays in.
    with admin.begin() as conn:
        conn.execute(text("CREATE TABLE future_things (id INTEGER PRIMARY KEY, note TEXT)"))
        conn.execute(text("ALTER TABLE pairs ADD COLUMN future_note VARCHAR(40)"))
        conn.execute(text("ALTER TABLE goals ADD COLUMN weight INTEGER NOT NULL DEFAULT 1"))
        conn.execute(text("CREATE INDEX ix_future_goals_weight ON goals (weight)"))
    _stamp(admin, "9001_additive")
    code, body = healthz(runtime)
    assert code == 200, body
    assert body["schema"] == "9001_additive" and "additive" in body["schema_note"]
    assert check_schema(runtime.engine).usable  # `serve` starts on it too
    [finding] = check_database(runtime.config)
    assert finding.ok and "newer than this version" in finding.what

    # The next one drops a column this version uses: it must go.
    with admin.begin() as conn:
        conn.execute(text("ALTER TABLE goals DROP COLUMN position"))
    _stamp(admin, "9002_drops")
    code, body = healthz(runtime)
    assert code == 503 and "column goals.position is gone" in body["schema_error"], body
    with pytest.raises(SchemaOutdated, match="Run the version that migrated it"):
        check_schema(runtime.engine)
    [finding] = check_database(runtime.config)
    assert not finding.ok and "goals.position is gone" in finding.what


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_new_column_that_must_be_filled_in_is_not_additive(
    migrated: tuple[Runtime, Engine],
) -> None:
    # (SQLite cannot add a NOT NULL column without a default, so only PostgreSQL can have one.)
    runtime, admin = migrated
    with admin.begin() as conn:
        conn.execute(text("ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL"))
    _stamp(admin, "9003_required")
    code, body = healthz(runtime)
    assert code == 503 and "deliveries.priority must be filled in" in body["schema_error"]


def test_an_empty_or_older_schema_is_503(db_url: str, clock: ManualClock) -> None:
    runtime = build_runtime(make_config(API, db_url), clock=clock, check=False)
    try:
        code, body = healthz(runtime)
        assert code == 503 and "mentorship-bot db upgrade" in body["schema_error"], body
        with pytest.raises(SchemaOutdated, match="is empty"):
            check_schema(runtime.engine)
    finally:
        runtime.engine.dispose()
