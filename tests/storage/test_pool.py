"""PostgreSQL: a pooled connection the server ended while it sat in the pool (a restart,
`pg_terminate_backend`, an idle timeout) is replaced when checked out, so the next request does
not fail on it. The check reads the socket (no round trip); only a connection idle longer than
`PING_IDLE` is pinged, and one whose ping fails is replaced too."""

from __future__ import annotations

import time
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, text

from storage import db


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_connection_the_server_ended_is_replaced_at_checkout(
    engine: Engine, admin: Engine
) -> None:
    first = _backend(engine)
    assert _backend(engine) == first  # pooled: the same connection again
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        deadline = time.monotonic() + 10
        while conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": first}
        ).scalar_one():
            assert time.monotonic() < deadline, "the backend never ended"
            time.sleep(0.01)
    # Without the check at checkout, this would run on the dead connection and fail.
    second = _backend(engine)
    assert second != first
    assert _backend(engine) == second


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("idle", ["recent", "past the limit"])
def test_only_a_long_idle_connection_is_pinged_and_a_failed_ping_replaces_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, idle: str
) -> None:
    first = _backend(engine)
    pings: list[object] = []

    def failing_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        raise OSError("no answer")  # as a connection a middlebox dropped would fail

    monkeypatch.setattr(engine.dialect, "do_ping", failing_ping)
    if idle == "past the limit":
        monkeypatch.setattr(db, "PING_IDLE", 0.0)
        time.sleep(0.01)
        assert _backend(engine) != first  # pinged, failed, replaced
        assert len(pings) == 1
    else:
        assert _backend(engine) == first  # in use moments ago: no round trip
        assert pings == []


def test_an_autocommit_connection_opens_no_transaction_and_leaves_the_pool_as_it_was(
    engine: Engine,
) -> None:
    """PostgreSQL: a read on it is one round trip (no BEGIN, no ROLLBACK). SQLite: a plain
    connection, so that the pooled connection still leaves BEGIN to SQLAlchemy (IMMEDIATE for
    writes) afterwards."""
    postgres = engine.dialect.name == "postgresql"
    with db.autocommit_connection(engine) as conn:
        conn.execute(text("SELECT 1"))
        driver: Any = conn.connection.driver_connection
        if postgres:
            assert driver.info.transaction_status == TransactionStatus.IDLE
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        driver = conn.connection.driver_connection
        if postgres:
            assert driver.info.transaction_status == TransactionStatus.INTRANS
        else:
            assert driver.isolation_level is None
