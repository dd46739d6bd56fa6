"""The dispatcher's writes: a row Slack accepted is recorded in the commit that moves the next
row to `sending`, so at every moment at most one row is `sending`, and nothing is lost when the
database fails in between."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError

from bot.delivery.recovery import Unrecorded
from bot.delivery.writes import Writes
from storage.db import write_session
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries, claim_due
from tests.kit.workspace import START, TEAM

LEASE = timedelta(minutes=2)


def _claimed(engine: Engine, count: int) -> list[int]:
    rows = [
        NewDelivery(TEAM, "notice", f"U{n:09d}", f"w:{n}", START, payload={"text": "hi"})
        for n in range(count)
    ]
    with write_session(engine) as s:
        add_deliveries(s, rows, START)
    return sorted(claim_due(engine, "me", START, LEASE, count))


def _broken(*args: object, **kwargs: object) -> bool:
    """A write whose connection the server closed."""
    raise OperationalError("UPDATE", {}, Exception("server closed the connection"))


def _statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Delivery.status).order_by(Delivery.id)))


def test_a_sent_row_is_recorded_with_the_next_rows_sending(engine: Engine) -> None:
    a, b, c = _claimed(engine, 3)
    writes = Writes(engine, "me", Unrecorded())
    with engine.connect() as writes.conn:
        assert writes.mark_sending(a, START, START, LEASE)
        assert _statuses(engine) == ["sending", "claimed", "claimed"]
        writes.sent(a, {"now": START, "channel": "D1", "ts": "1.0"})
        # A worker killed here leaves `a` in sending (the row handed to Slack last), only it.
        assert _statuses(engine) == ["sending", "claimed", "claimed"]
        assert writes.mark_sending(b, START, START, LEASE)
        assert _statuses(engine) == ["sent", "sending", "claimed"]
        writes.sent(b, {"now": START, "channel": "D1", "ts": "1.1"})
        writes.finish(c, "cancelled", {"now": START, "error": "paused"}, None)
        assert _statuses(engine) == ["sent", "sent", "cancelled"]
        writes.flush()
    with engine.connect() as conn:
        ts = conn.scalar(select(Delivery.ts).where(Delivery.id == b))
    assert ts == "1.1"


def test_the_end_of_a_batch_records_the_last_sent_row(engine: Engine) -> None:
    (a,) = _claimed(engine, 1)
    writes = Writes(engine, "me", Unrecorded())
    assert writes.mark_sending(a, START, START, LEASE)
    writes.sent(a, {"now": START, "channel": "D1", "ts": "1.0"})
    assert _statuses(engine) == ["sending"]
    writes.flush()
    assert _statuses(engine) == ["sent"]


def test_a_sent_row_is_kept_when_the_database_fails_before_it_is_recorded(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _claimed(engine, 2)
    unrecorded = Unrecorded()
    writes = Writes(engine, "me", unrecorded)
    assert writes.mark_sending(a, START, START, LEASE)
    writes.sent(a, {"now": START, "channel": "D1", "ts": "1.0"})

    monkeypatch.setattr("bot.delivery.writes.mark_sending", _broken)
    with pytest.raises(OperationalError):
        writes.mark_sending(b, START, START, LEASE)
    assert unrecorded.outcomes[a].status == "sent"
    assert unrecorded.outcomes[b].status == "pending"  # never handed to Slack
    assert _statuses(engine) == ["sending", "claimed"]  # the failed commit wrote nothing


def test_a_batch_records_the_sent_row_with_the_next_rows_sending(engine: Engine) -> None:
    # As the dispatcher holds its batch's connection: on PostgreSQL it commits each statement
    # by itself and the two writes are one statement; on SQLite a transaction, as above.
    a, b, c = _claimed(engine, 3)
    writes = Writes(engine, "me", Unrecorded())
    with engine.connect() as conn, writes.batch(conn):
        assert writes.autocommit == (engine.dialect.name == "postgresql")
        assert writes.mark_sending(a, START, START, LEASE)
        writes.sent(a, {"now": START, "channel": "D1", "ts": "1.0"})
        assert _statuses(engine) == ["sending", "claimed", "claimed"]
        assert writes.mark_sending(b, START, START, LEASE)
        assert _statuses(engine) == ["sent", "sending", "claimed"]
        writes.sent(b, {"now": START, "channel": "D2", "ts": "1.1"})
        # A row that is no longer ours (its claim ran out and another worker took it) is not
        # moved to sending, and the sent row waiting is still recorded.
        with engine.begin() as other:
            other.execute(update(Delivery).where(Delivery.id == c).values(lease_owner="other"))
        assert not writes.mark_sending(c, START, START, LEASE)
        assert _statuses(engine) == ["sent", "sent", "claimed"]
    assert not writes.autocommit and writes.conn is None
    with engine.connect() as conn:
        rows = conn.execute(
            select(Delivery.channel, Delivery.ts, Delivery.sent_at, Delivery.lease_owner).order_by(
                Delivery.id
            )
        ).all()
    assert [tuple(r)[:2] for r in rows[:2]] == [("D1", "1.0"), ("D2", "1.1")]
    assert all(r.sent_at is not None and r.lease_owner is None for r in rows[:2])


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # the one-statement write
def test_a_batch_keeps_the_sent_row_when_the_one_statement_fails(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _claimed(engine, 2)
    unrecorded = Unrecorded()
    writes = Writes(engine, "me", unrecorded)

    with engine.connect() as conn, writes.batch(conn):
        assert writes.mark_sending(a, START, START, LEASE)
        writes.sent(a, {"now": START, "channel": "D1", "ts": "1.0"})
        monkeypatch.setattr("bot.delivery.writes.sent_then_sending", _broken)
        with pytest.raises(OperationalError):
            writes.mark_sending(b, START, START, LEASE)
    assert unrecorded.outcomes[a].status == "sent"
    assert unrecorded.outcomes[b].status == "pending"  # never handed to Slack
    assert _statuses(engine) == ["sending", "claimed"]
