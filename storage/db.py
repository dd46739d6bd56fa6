"""Engines and sessions: SQLite tuned for a threaded server, or PostgreSQL."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(RuntimeError):
    """The database schema is not at the migration head."""


# Connections kept open per process. A request's listener, the waitress thread that received it
# and the scheduler each hold one for a moment; with SQLAlchemy's default of 5, a burst of
# requests opened and closed a connection per query beyond the fifth (on PostgreSQL a new
# server process each time, on SQLite the connection set-up and its PRAGMAs).
POOL_SIZE, POOL_OVERFLOW = 20, 20


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs.

    SQL parameters never appear in an error message or a log line (`hide_parameters`): they
    hold people's goals and reflections, and a failed statement's error is logged."""
    kwargs = {"hide_parameters": True, **kwargs}
    if "poolclass" not in kwargs and not url.endswith(":memory:") and url != "sqlite://":
        kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself so that claims can use BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


_WRITERS: weakref.WeakKeyDictionary[Any, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


@contextmanager
def _writer_turn(engine: Engine) -> Iterator[None]:
    """SQLite: this process's writers queue on a lock before BEGIN IMMEDIATE.

    SQLite admits one writer; a connection that finds the lock taken polls it, sleeping longer
    each time (up to 100 ms), so under concurrent requests much of a write's latency was
    sleep after the lock had long been free. Waiting on a Python lock wakes the next writer as
    soon as the last one commits. After 30 s (SQLite's own busy timeout) it stops waiting and
    lets SQLite decide. Other processes on the same file meet SQLite's busy timeout as before;
    PostgreSQL needs none of this.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    with _WRITERS_GUARD:
        lock = _WRITERS.get(engine.pool)
        if lock is None:
            lock = _WRITERS[engine.pool] = threading.RLock()
    acquired = lock.acquire(timeout=30)
    try:
        yield
    finally:
        if acquired:
            lock.release()


@contextmanager
def write_session(engine: Engine, **session_options: Any) -> Iterator[Session]:
    """A session inside a write transaction, committed on success (BEGIN IMMEDIATE on SQLite,
    after this process's earlier writers)."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE")
    with (
        _writer_turn(engine),
        Session(bind, **session_options) as session,
        session.begin(),
    ):
        yield session


class Sessions(sessionmaker[Session]):
    """`sessions()` for reads, `sessions.begin()` for a write transaction.

    On SQLite a write transaction starts with BEGIN IMMEDIATE: a deferred transaction that reads
    and then writes fails at once with "database is locked" when another connection wrote in
    between (a WAL snapshot cannot be upgraded, and busy_timeout does not apply), whereas taking
    the write lock at BEGIN waits its turn. Plain reads stay deferred, so under WAL they neither
    wait for writers nor block them.
    """

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session inside a write transaction, committed on success."""
        with write_session(self.kw["bind"], expire_on_commit=False) as session:
            yield session


def make_sessions(engine: Engine) -> Sessions:
    """A session factory that keeps loaded objects usable after commit."""
    return Sessions(engine, expire_on_commit=False)


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration pointing at the packaged migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Run migrations up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutdated unless the database is at the migration head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaOutdated(
            f"The database schema is {state}, but this version needs {head}. "
            "Run `mentorship-bot db upgrade` (with the same --config / DATABASE_URL) first."
        )
