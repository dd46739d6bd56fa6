"""The delivery outbox: idempotent planning, safe claiming, and recording results.

Claiming works on both databases: PostgreSQL locks the chosen rows with
`FOR UPDATE SKIP LOCKED`; SQLite takes the write lock up front with `BEGIN IMMEDIATE`.
A claimed row moves `pending -> claimed -> sending -> sent`. `claimed` means "ours, not yet
handed to Slack": a dead worker's expired claim simply goes back to `pending`. `sending` is
written just before the Slack call: if the worker dies then, the message may have been posted,
so an expired `sending` row becomes `unknown` and is never sent twice.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    CursorResult,
    DateTime,
    Engine,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage import keys
from storage.base import UTCDateTime
from storage.db import core_connection, driver_statement, write_connection
from storage.models import Delivery, DeliveryKind, DeliveryStatus
from storage.pairs import pair_ids_of

PENDING, CLAIMED, SENDING = DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING
SENT, FAILED, EXPIRED = DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.EXPIRED
UNKNOWN, CANCELLED = DeliveryStatus.UNKNOWN, DeliveryStatus.CANCELLED


def _status_in(*statuses: str) -> ColumnElement[bool]:
    """`Delivery.status IN statuses`, written as NOT IN every other status, for a statement
    that finds its rows by id or occurrence key. SQLite keeps no statistics here: given a
    status test beside `id IN (…)` (four ids or more) or `occurrence_key IN (…)`, it took the
    (status, due_at) index and read every pending (and due) row of every workspace. NOT IN
    matches no index, so it goes by the ids or keys. A status added to DeliveryStatus later
    is left out, as it would be by IN."""
    return Delivery.status.not_in([s.value for s in DeliveryStatus if s.value not in statuses])


def _count(result: Any) -> int:
    """Rows matched by an UPDATE/INSERT (typed access to CursorResult.rowcount)."""
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


@dataclass(frozen=True)
class NewDelivery:
    """A message to send at `due_at`; `occurrence_key` makes planning it twice harmless."""

    team_id: str
    kind: str
    recipient_id: str
    occurrence_key: str
    due_at: datetime
    pair_id: int | None = None
    expires_at: datetime | None = None
    payload: dict[str, Any] | None = None


def add_deliveries(session: Session, rows: Sequence[NewDelivery], now: datetime) -> int:
    """Insert rows, ignoring any whose occurrence key exists; return how many were new."""
    if not rows:
        return 0
    conn = core_connection(session)
    # PostgreSQL: RETURNING counts the rows really inserted (an executemany's count does not).
    if conn.dialect.name == "postgresql":
        return len(conn.execute(_INSERT_FROM_JSON, _as_json(rows, now)).all())
    values = [
        {
            "team_id": r.team_id,
            "kind": r.kind,
            "recipient_id": r.recipient_id,
            "occurrence_key": r.occurrence_key,
            "due_at": r.due_at,
            "pair_id": r.pair_id,
            "expires_at": r.expires_at,
            "payload": r.payload or {},
            "status": PENDING.value,
            "attempts": 0,
            "created_at": now,
        }
        for r in rows
    ]
    # SQLite: the driver's executemany, whose row count is the rows really inserted (SQLAlchemy's
    # per-row parameter handling was most of a new pair's insert in `serve`).
    return driver_statement(conn, _INSERT_NEW_SQLITE, keys=_NEW_COLUMNS).run_many(conn, values)


def _as_json(rows: Sequence[NewDelivery], now: datetime) -> dict[str, Any]:
    """The rows as one JSON array of objects (`_INSERT_FROM_JSON`); instants as naive UTC in
    ISO form, as `UTCDateTime` stores them."""
    return {
        "rows": [
            {
                "team_id": r.team_id,
                "kind": r.kind,
                "recipient_id": r.recipient_id,
                "occurrence_key": r.occurrence_key,
                "due_at": _naive(r.due_at),
                "pair_id": r.pair_id,
                "expires_at": None if r.expires_at is None else _naive(r.expires_at),
                "payload": r.payload or {},
            }
            for r in rows
        ],
        "status": PENDING.value,
        "attempts": 0,
        "created_at": now,
    }


def _naive(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat()


def _from_json() -> Any:
    """INSERT … SELECT FROM json_to_recordset(the rows as one JSON array) ON CONFLICT
    (occurrence_key) DO NOTHING RETURNING id, for PostgreSQL: the same SQL text and four
    parameters however many rows.

    As a VALUES list, eleven parameters a row: psycopg keeps its conversion of a statement's
    placeholders only for statements of at most 50 parameters, so from five rows on it parsed
    the statement again at every execution, and it dumps every parameter in Python. A new
    pair's first planning (14 rows) took 1.8 ms of CPU as a VALUES list, 0.75 ms as JSON (in
    one process); two rows 0.57 against 0.46 ms."""
    rows = (
        func.json_to_recordset(bindparam("rows", type_=JSON()))
        .table_valued(
            column("team_id", String()),
            column("kind", String()),
            column("recipient_id", String()),
            column("occurrence_key", String()),
            column("due_at", DateTime()),
            column("pair_id", Integer()),
            column("expires_at", DateTime()),
            column("payload", JSON()),
        )
        .render_derived(with_types=True)
    )
    names = [c.name for c in rows.c]
    chosen = select(
        *rows.c,
        bindparam("status", type_=String()),
        bindparam("attempts", type_=Integer()),
        bindparam("created_at", type_=UTCDateTime()),
    )
    stmt = pg_insert(Delivery).from_select([*names, "status", "attempts", "created_at"], chosen)
    return stmt.on_conflict_do_nothing(index_elements=["occurrence_key"]).returning(Delivery.id)


_INSERT_FROM_JSON = _from_json()


_NEW_COLUMNS = (
    "team_id",
    "kind",
    "recipient_id",
    "occurrence_key",
    "due_at",
    "pair_id",
    "expires_at",
    "payload",
    "status",
    "attempts",
    "created_at",
)
_INSERT_NEW_SQLITE = sqlite_insert(Delivery).on_conflict_do_nothing(
    index_elements=["occurrence_key"]
)


def release_stale(db: Session | Connection, now: datetime) -> tuple[int, int]:
    """Expired claims go back to pending; expired sends become unknown. Returns both counts."""
    return _execute(db, _RELEASE_CLAIMED, {"now": now}), _execute(
        db, _RELEASE_SENDING, {"now": now}
    )


def expire_overdue(db: Session | Connection, now: datetime) -> int:
    """Due rows past their lateness window become `expired` (counted, never sent late).

    Only due rows are looked at, through the (status, due_at) index: a row that is not due
    cannot be sent anyway and is expired by the first claim after it falls due. Looking at
    every pending row made each claim scan the whole planned future (all pairs' weeks ahead).
    """
    return _execute(db, _EXPIRE_OVERDUE, {"now": now})


def claim_due(
    engine: Engine,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    share: tuple[int, int] = (0, 1),
    hold: Collection[int] = (),
) -> list[int]:
    """Claim up to `limit` due rows for `owner` in one short transaction; return their ids.
    Every statement is built once: a tick that finds one or two rows (a plan's summaries, sent
    at once) paid more for building them than for running them.

    `share` (i, n): only the rows of the pairs whose id is i modulo n (rows of no pair count as
    pair 0), for one of n senders in a worker; each pair's messages then go out from one
    sender, in order, as with one. `hold`: pairs whose rows are left alone (another thread of
    this process is about to send them)."""
    part, parts = share
    if not 0 <= part < parts:
        raise ValueError(f"share: {part} of {parts}")
    with write_connection(engine) as conn:
        release_stale(conn, now)
        expire_overdue(conn, now)
        candidates = _CANDIDATES[engine.dialect.name != "sqlite", parts > 1, bool(hold)]
        params = {"now": now, "limit": limit, "part": part, "parts": parts, "hold": list(hold)}
        ids = list(conn.scalars(candidates, params))
        if ids:
            params = {"ids": ids, "owner": owner, "until": now + lease}
            conn.execute(_CLAIM, params)
        return ids


_STALE = and_(Delivery.lease_expires_at.is_not(None), Delivery.lease_expires_at < bindparam("now"))
_RELEASE_CLAIMED = (
    update(Delivery)
    .where(Delivery.status == CLAIMED, _STALE)
    .values(status=PENDING, lease_owner=None, lease_expires_at=None)
)
_RELEASE_SENDING = (
    update(Delivery)
    .where(Delivery.status == SENDING, _STALE)
    .values(
        status=UNKNOWN,
        lease_owner=None,
        lease_expires_at=None,
        last_error="worker stopped during the Slack call; not resent to avoid a duplicate",
    )
)
_EXPIRE_OVERDUE = (
    update(Delivery)
    .where(
        Delivery.status == PENDING,
        Delivery.due_at <= bindparam("now"),
        Delivery.expires_at.is_not(None),
        Delivery.expires_at <= bindparam("now"),
    )
    .values(status=EXPIRED, last_error="too late to be useful")
)
_DUE = (
    select(Delivery.id)
    .where(Delivery.status == PENDING, Delivery.due_at <= bindparam("now"))
    .order_by(Delivery.due_at, Delivery.id)
    .limit(bindparam("limit"))
)
_DUE_SHARE = _DUE.where(
    func.coalesce(Delivery.pair_id, 0) % bindparam("parts") == bindparam("part")
)
# Rows of pairs another thread of this process is about to send (`claim_due`'s `hold`).
_NOT_HELD = or_(
    Delivery.pair_id.is_(None), Delivery.pair_id.not_in(bindparam("hold", expanding=True))
)


def _candidates(postgres: bool, shared: bool, held: bool) -> Select[Any]:
    """The due rows' query: one share of several, or all; some pairs held, or none. Rows
    another worker or sender is claiming are skipped on PostgreSQL, not waited for."""
    query = _DUE_SHARE if shared else _DUE
    if held:
        query = query.where(_NOT_HELD)
    return query.with_for_update(skip_locked=True) if postgres else query


# By (PostgreSQL, one share of several, some pairs held).
_CANDIDATES = {
    (postgres, shared, held): _candidates(postgres, shared, held)
    for postgres in (False, True)
    for shared in (False, True)
    for held in (False, True)
}
# By primary key alone: the rows are ours until commit (SQLite's write lock, PostgreSQL's row
# locks), so they are still pending. A status test here let SQLite, which keeps no statistics
# unless ANALYZE runs, pick the (status, due_at) index and read every pending row of the planned
# weeks ahead instead of 50 rows by id.
_CLAIM = (
    update(Delivery)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .values(
        status=CLAIMED,
        lease_owner=bindparam("owner"),
        lease_expires_at=bindparam("until"),
        attempts=Delivery.attempts + 1,
    )
)


def claim_keys(
    engine: Engine, owner: str, now: datetime, lease: timedelta, occurrence_keys: Sequence[str]
) -> list[Row[Any]]:
    """Claim for `owner` the rows with these occurrence keys that are pending and due, in one
    short transaction: what a sender needs of them (as `claimed_rows` reads it), from the
    claim itself. A row someone else claimed (a tick that got there first) is not taken; on
    PostgreSQL this waits for that claim's commit and then finds the row no longer pending."""
    if not occurrence_keys:
        return []
    with write_connection(engine) as conn:
        return claim_keys_on(conn, owner, now, lease, occurrence_keys)


def claim_keys_on(
    conn: Connection,
    owner: str,
    now: datetime,
    lease: timedelta,
    occurrence_keys: Sequence[str],
) -> list[Row[Any]]:
    """`claim_keys` in the caller's write transaction on `conn`: the claim commits with it."""
    if not occurrence_keys:
        return []
    params = {"keys": list(occurrence_keys), "owner": owner, "until": now + lease, "now": now}
    return list(conn.execute(_CLAIM_KEYS, params))


# A claim given back: pending again, with no owner, the claim's attempt not counted.
_RELEASED: dict[Any, Any] = {
    Delivery.status: PENDING,
    Delivery.lease_owner: None,
    Delivery.lease_expires_at: None,
    Delivery.attempts: Delivery.attempts - 1,
}


def release_rows(engine: Engine, owner: str, ids: Collection[int]) -> int:
    """Those of these rows that `owner` still holds claimed (never handed to Slack) go back to
    pending, the claim's attempt not counted, for whoever claims next; rows in `sending` stay.
    Return how many."""
    if not ids:
        return 0
    with write_connection(engine) as conn:
        result = conn.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(list(ids)),
                Delivery.lease_owner == owner,
                Delivery.status == CLAIMED,
            )
            .values(_RELEASED)
        )
        return int(result.rowcount)


def claimed_rows(conn: Connection, ids: Collection[int]) -> list[Row[Any]]:
    """What a sender needs of its claimed rows (no ORM objects: a Core read on the batch's
    connection, a third of a Session's cost for a new plan's two summaries), in a transaction
    of its own that ends here, as the writes on that connection expect."""
    with conn.begin():
        return list(conn.execute(_CLAIMED_ROWS, {"ids": list(ids)}))


_SENDER_COLUMNS = (
    Delivery.id,
    Delivery.team_id,
    Delivery.kind,
    Delivery.pair_id,
    Delivery.recipient_id,
    Delivery.payload,
    Delivery.due_at,
    Delivery.occurrence_key,
)
_CLAIMED_ROWS = select(*_SENDER_COLUMNS).where(Delivery.id.in_(bindparam("ids", expanding=True)))


_CLAIM_KEYS = (
    update(Delivery)
    .where(
        Delivery.occurrence_key.in_(bindparam("keys", expanding=True)),
        _status_in(PENDING),
        Delivery.due_at <= bindparam("now"),
    )
    .values(
        status=CLAIMED,
        lease_owner=bindparam("owner"),
        lease_expires_at=bindparam("until"),
        attempts=Delivery.attempts + 1,
    )
    .returning(*_SENDER_COLUMNS)
)


def release_claims(session: Session, owner: str) -> int:
    """`owner`'s claimed rows (never handed to Slack) go back to pending, the claim's attempt
    not counted; rows in `sending` stay for their lease. Return how many."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.lease_owner == owner, Delivery.status == CLAIMED)
        .values(_RELEASED)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


# The two writes around every Slack call, built once: building an UPDATE costs more CPU than
# running it, and a worker runs two per message (bench/README.md, "A nudge's cost").
_MARK_SENDING = (
    update(Delivery)
    .where(
        Delivery.id == bindparam("row_id"),
        Delivery.status == CLAIMED,
        Delivery.lease_owner == bindparam("owner"),
    )
    .values(status=SENDING, lease_expires_at=bindparam("until"))
)
# The status test written with OR: these run on the driver (`DriverStatement`), which takes no
# IN list.
_CLAIMED_OR_SENDING = or_(Delivery.status == CLAIMED, Delivery.status == SENDING)
_OURS = and_(
    Delivery.id == bindparam("row_id"),
    _CLAIMED_OR_SENDING,
    Delivery.lease_owner == bindparam("owner"),
)


@lru_cache(maxsize=32)
def _finish_stmt(columns: tuple[str, ...], uncount: bool) -> Any:
    """`finish`'s UPDATE for one set of written columns (each bound as `v_<column>`)."""
    values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in columns}
    if uncount:
        values["attempts"] = Delivery.attempts - 1
    return update(Delivery).where(_OURS).values(**values)


def _execute(
    db: Session | Connection, stmt: Any, params: dict[str, Any], driver: bool = False
) -> int:
    """Run a Core statement on a session's connection or a connection; rows matched. With
    `driver`, on a connection (a sender's per-message writes), it runs on the driver
    (`DriverStatement`)."""
    if driver and isinstance(db, Connection):
        return driver_statement(db, stmt).run(db, params)
    conn = db.connection() if isinstance(db, Session) else db
    return _count(conn.execute(stmt, params))


def mark_sending(
    db: Session | Connection, delivery_id: int, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Move one of our claimed rows to `sending` just before the Slack call; False if not ours."""
    params = {"row_id": delivery_id, "owner": owner, "until": now + lease}
    return _execute(db, _MARK_SENDING, params, driver=True) > 0


def sent_then_sending(
    conn: Connection,
    sent_id: int,
    sent: Mapping[str, Any],
    delivery_id: int,
    owner: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """PostgreSQL: `finish(sent_id, SENT, **sent)` and `mark_sending(delivery_id)` as one
    statement (the first as a data-modifying WITH): on an autocommit connection, one round
    trip and one commit for what a transaction took four round trips for. True when the row
    is ours to send (the sent row is recorded either way, as `finish` records it)."""
    params = {
        "sent_id": sent_id,
        "owner": owner,
        "v_channel": sent.get("channel"),
        "v_ts": sent.get("ts"),
        "v_sent_at": sent["now"],
        "row_id": delivery_id,
        "until": now + lease,
    }
    return _execute(conn, _SENT_THEN_SENDING, params, driver=True) > 0


_SENT_THEN_SENDING = _MARK_SENDING.add_cte(
    update(Delivery)
    .where(
        Delivery.id == bindparam("sent_id"),
        _CLAIMED_OR_SENDING,
        Delivery.lease_owner == bindparam("owner"),
    )
    .values(
        status=SENT,
        lease_owner=None,
        lease_expires_at=None,
        last_error=None,
        channel=bindparam("v_channel"),
        ts=bindparam("v_ts"),
        sent_at=bindparam("v_sent_at"),
    )
    .cte("sent_row")
)


def finish(
    db: Session | Connection,
    delivery_id: int,
    owner: str,
    status: str,
    *,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
    count_attempt: bool = True,
) -> bool:
    """Record the outcome of one of our rows; `retry_at` puts it back to pending."""
    values: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None, "last_error": error}
    if retry_at is not None:
        values.update(status=PENDING, due_at=retry_at)
    else:
        values["status"] = status
    if status == SENT:
        values.update(channel=channel, ts=ts, sent_at=now)
    stmt = _finish_stmt(tuple(values), not count_attempt)
    params = {f"v_{c}": v for c, v in values.items()}
    return _execute(db, stmt, {"row_id": delivery_id, "owner": owner, **params}, driver=True) > 0


def cancel_pending(session: Session, ids: Iterable[int], reason: str) -> int:
    """Cancel rows that have not been handed to Slack yet."""
    id_list = list(ids)
    if not id_list:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(id_list), _status_in(PENDING, CLAIMED))
        .values(status=CANCELLED, last_error=reason, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


def cancel_for_pair(
    session: Session, team_id: str, pair_id: int, reason: str, kinds: Sequence[str] | None = None
) -> int:
    """Cancel a pair's not-yet-sent rows (all kinds, or only `kinds`)."""
    stmt = update(Delivery).where(
        Delivery.team_id == team_id, Delivery.pair_id == pair_id, Delivery.status == PENDING
    )
    if kinds:
        stmt = stmt.where(Delivery.kind.in_(list(kinds)))
    result = session.execute(
        stmt.values(status=CANCELLED, last_error=reason).execution_options(
            synchronize_session=False
        )
    )
    return _count(result)


def status_counts(session: Session, team_id: str | None = None) -> dict[str, int]:
    """How many deliveries are in each status."""
    stmt = select(Delivery.status, func.count()).group_by(Delivery.status)
    if team_id is not None:
        stmt = stmt.where(Delivery.team_id == team_id)
    return {status: int(n) for status, n in session.execute(stmt).all()}


def cancel_for_meeting(
    session: Session, team_id: str, pair_id: int, meeting_id: int, reason: str
) -> int:
    """Cancel the pending nudges and follow-ups of one meeting (of the pair `pair_id`), in one
    UPDATE through the pair's pending rows."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.team_id == team_id,
            Delivery.pair_id == pair_id,
            Delivery.status == PENDING,
            keys.of_meeting(meeting_id),
        )
        .values(status=CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


def pending_rows(
    session: Session, team_id: str, pair_id: int, kinds: Collection[str] | None = None
) -> list[Delivery]:
    """A pair's deliveries that have not been handed to Slack yet."""
    stmt = select(Delivery).where(
        Delivery.team_id == team_id, Delivery.pair_id == pair_id, Delivery.status == PENDING
    )
    if kinds:
        stmt = stmt.where(Delivery.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Delivery.due_at, Delivery.id)))


def pending_prompts_for(session: Session, team_id: str, user_id: str) -> list[Delivery]:
    """A person's reflection prompts waiting in the outbox, soonest first: found through the
    person's pairs (each prompt belongs to one), an index range of (pair, status) each."""
    rows = session.scalars(
        select(Delivery).where(
            Delivery.pair_id.in_(pair_ids_of(team_id, user_id)),
            Delivery.status == PENDING,
            Delivery.team_id == team_id,
            Delivery.recipient_id == user_id,
            Delivery.kind == DeliveryKind.REFLECTION_PROMPT,
        )
    )
    # Sorted here: with ORDER BY due_at, SQLite read every pending row by (status, due_at).
    return sorted(rows, key=lambda row: (row.due_at, row.id))
