"""PostgreSQL: a pooled connection the server ended while it sat in the pool (a restart,
`pg_terminate_backend`, an idle timeout) is replaced when checked out (the pool's pre-ping),
so the next request does not fail on it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, text


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
    # Without the pre-ping, this would run on the dead connection and fail.
    second = _backend(engine)
    assert second != first
    assert _backend(engine) == second
