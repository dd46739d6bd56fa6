"""The dispatcher's outbox writes around each Slack call, on the batch's connection.

A row is marked `sending` (committed) before its Slack call and finished (committed) after it.
A message Slack accepted is recorded `sent` in the same commit that moves the next row to
`sending`, just before that row's Slack call (or at the next write, or at the end of the batch):
one commit per message instead of two. The dispatcher waits for that only when the next message
is rendered already (bot/delivery/ahead.py); before a render it records the sent row at once,
so a row never stays `sending` for long after Slack accepted it (its lease runs meanwhile). A
killed worker still leaves at most one row without its outcome: the last one handed to Slack,
in `sending` (later `unknown`, never sent again).

On PostgreSQL the batch's connection commits each statement by itself, and the two writes are
one statement (`storage/outbox.py` `sent_then_sending`): one round trip and one commit per
message, where BEGIN, two UPDATEs and COMMIT took four round trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bot.delivery.recovery import OnSent, Unrecorded
from storage.db import write_connection, write_on
from storage.outbox import SENT, finish, mark_sending, sent_then_sending


class Writes:
    """One dispatcher's writes; `conn` is the batch's connection while a batch is sent."""

    def __init__(self, engine: Engine, owner: str, unrecorded: Unrecorded) -> None:
        self.engine, self.owner, self.unrecorded = engine, owner, unrecorded
        self.conn: Connection | None = None
        # The batch's connection commits each statement by itself (PostgreSQL, `batch`): a
        # row's `sending` and the last sent row's outcome go in one statement.
        self.autocommit = False
        self._sent: tuple[int, dict[str, Any]] | None = None  # accepted, not yet committed

    def sent(self, delivery_id: int, values: dict[str, Any]) -> None:
        """Slack accepted the row: recorded with the next write (the next row's `sending`)."""
        self.flush()  # never more than one waits
        self._sent = (delivery_id, values)

    def finish(
        self, delivery_id: int, status: str, values: dict[str, Any], on_sent: OnSent
    ) -> None:
        """Record a row's outcome now (with a sent row still waiting)."""
        try:
            with self._write() as conn:
                finish(conn, delivery_id, self.owner, status, **values)
        except DBAPIError:  # kept, and written once the database is back
            self.unrecorded.remember(delivery_id, status, values, on_sent)
            raise

    def mark_sending(
        self, delivery_id: int, due_at: datetime, now: datetime, lease: timedelta
    ) -> bool:
        """Move a claimed row to `sending` (False: our claim expired, someone else has it)."""
        if self.autocommit and self._sent is not None:
            return self._sent_then_sending(delivery_id, due_at, now, lease)
        try:
            with self._write() as conn:
                return mark_sending(conn, delivery_id, self.owner, now, lease)
        except DBAPIError:  # whatever the database kept, nothing was handed to Slack
            self.unrecorded.not_sent(delivery_id, due_at, now)
            raise

    def _sent_then_sending(
        self, delivery_id: int, due_at: datetime, now: datetime, lease: timedelta
    ) -> bool:
        """The waiting sent row recorded and this row moved to `sending` in one statement,
        committed by itself (one round trip, one commit)."""
        assert self.conn is not None and self._sent is not None
        waiting, self._sent = self._sent, None
        try:
            with self.conn.begin():  # no BEGIN is sent: the connection commits each statement
                return sent_then_sending(
                    self.conn, waiting[0], waiting[1], delivery_id, self.owner, now, lease
                )
        except DBAPIError:  # whatever the database kept, this row was not handed to Slack
            self.unrecorded.remember(waiting[0], SENT, waiting[1])
            self.unrecorded.not_sent(delivery_id, due_at, now)
            raise
        except BaseException:
            if self._sent is None:
                self._sent = waiting
            raise

    @contextmanager
    def batch(self, conn: Connection) -> Iterator[Connection]:
        """Use `conn` for a batch's reads and writes; on PostgreSQL it commits each statement
        by itself (reads at READ COMMITTED see what each statement sees in a transaction)."""
        self.autocommit = conn.dialect.name == "postgresql"
        if self.autocommit:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        self.conn = conn
        try:
            yield conn
        finally:
            self.conn, self.autocommit = None, False

    def flush(self) -> None:
        """Commit a sent row's outcome that waits for the next write."""
        if self._sent is not None:
            with self._write():
                pass

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        waiting, self._sent = self._sent, None
        try:
            with write_on(self.conn) if self.conn else write_connection(self.engine) as conn:
                if waiting is not None:
                    finish(conn, waiting[0], self.owner, SENT, **waiting[1])
                yield conn
        except DBAPIError:
            if waiting is not None:
                self.unrecorded.remember(waiting[0], SENT, waiting[1])
            raise
        except BaseException:  # rolled back: the sent row still waits to be recorded
            if waiting is not None and self._sent is None:
                self._sent = waiting
            raise
