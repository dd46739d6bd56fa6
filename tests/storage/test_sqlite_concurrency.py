"""SQLite under a threaded server: concurrent requests while the dispatcher runs never hit
"database is locked" (WAL, busy timeout, immediate transactions for claims)."""

from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from bot.heartbeat import Heartbeat
from storage.db import make_engine, write_connection
from storage.models import Pair
from tests.kit.plans import PLAN
from tests.kit.workspace import Bot, wait_for

PAIRS = 40


def test_concurrent_requests_with_a_running_dispatcher(
    bot: Bot, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("this test is about SQLite's locking")
    with bot.sessions() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    users = [f"U{i:09d}" for i in range(2 * PAIRS)]
    for i, user in enumerate(users):
        bot.standin.add_user(user, f"p{i}", real_name=f"P{i}", tz="Europe/Berlin")
    heartbeat = Heartbeat(bot.runtime.services, tick_seconds=0.05)
    caplog.set_level(logging.WARNING)
    heartbeat.start()
    try:

        def drive(i: int) -> tuple[int, int, int]:
            mentor, mentee = users[2 * i], users[2 * i + 1]
            first = bot.driver.slash_command(mentor, f"start <@{mentee}>").status
            view = wait_for(lambda: bot.standin.views_for(mentor), timeout=30, what="a modal")[-1]
            values = {**PLAN, "Mentor": mentor, "Mentee": mentee}
            second = bot.driver.submit_view(mentor, view.id, values).status
            _, ts = bot.driver.user_dm(mentee, "hello")
            return first, second, len(ts)

        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(drive, range(PAIRS)))
        failed = [(i, r) for i, r in enumerate(results) if r[0] != 200 or r[1] != 200]
        assert not failed, f"requests that did not answer 200: {failed}"
        # Every pair's two summaries go out while requests keep writing.
        wait_for(
            lambda: len([m for m in bot.standin.messages if "is set up" in m.text]) == 2 * PAIRS,
            timeout=60,
            what="all summaries",
        )
    finally:
        heartbeat.stop()
    with bot.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Pair)) == PAIRS
    locked = [
        r
        for r in caplog.records
        if "locked" in r.getMessage().lower()
        or (r.exc_info and "locked" in str(r.exc_info[1]).lower())
    ]
    assert not locked, [r.getMessage() for r in locked]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]


def test_a_busy_database_at_begin_is_sqlalchemys_operational_error(tmp_path) -> None:
    """BEGIN runs on the driver's connection (storage/db.py): a database another process holds
    past the busy timeout still raises SQLAlchemy's OperationalError, which the dispatcher and
    the outbox writes catch, and the transaction is not left open."""
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    engine = make_engine(url, poolclass=StaticPool)  # one connection: the PRAGMA below holds
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("PRAGMA busy_timeout=50")
    other = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer
    try:
        with pytest.raises(OperationalError, match="locked"), write_connection(engine) as conn:
            conn.exec_driver_sql("INSERT INTO t DEFAULT VALUES")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with write_connection(engine) as conn:  # free again: the same connection writes
        conn.exec_driver_sql("INSERT INTO t DEFAULT VALUES")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    engine.dispose()
