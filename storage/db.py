"""Engines and sessions: SQLite tuned for a threaded server, or PostgreSQL."""

from __future__ import annotations

import logging
import select
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, bindparam, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


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
    engine = create_engine(url, **kwargs)
    _check_at_checkout(engine)
    return engine


# A pooled PostgreSQL connection idle longer than this is pinged (a round trip) before use: a
# firewall or proxy that drops idle connections says nothing until the next packet. Connections
# in use more often than this (any steady load) are only looked at, without a round trip.
PING_IDLE = 30.0


def _check_at_checkout(engine: Engine) -> None:
    """PostgreSQL: a pooled connection is checked as it leaves the pool, and replaced when the
    server has ended it (a restart, `pg_terminate_backend`, `idle_session_timeout`).

    SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout: a round trip more for
    every request (where a DM reply's whole write is now one). A server that ends a connection says so on its socket
    (an error message, then the close), so an idle connection with something to read is one the
    server ended: found with a poll and no round trip. Only a connection idle past `PING_IDLE`
    is pinged, for what a socket does not show (a middlebox that dropped it). A connection
    found dead is replaced through SQLAlchemy's documented path (`DisconnectionError` in the
    checkout event: the pool reconnects and checks out again)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None:
            return  # just connected
        if _server_spoke(dbapi_connection):
            raise DisconnectionError("the server ended this pooled connection")
        if time.monotonic() - since > PING_IDLE:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as exc:  # whatever the driver raises, the connection is unusable
                raise DisconnectionError("a pooled connection failed its ping") from exc


def _server_spoke(dbapi_connection: Any) -> bool:
    """An idle psycopg connection that is closed, or has something to read (the server's
    goodbye, or its close)."""
    if dbapi_connection.closed:
        return True
    fd = dbapi_connection.fileno()
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


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
        """BEGIN on the driver's own connection. Through `exec_driver_sql` it cost as much as
        a DM reply's UPDATE (an empty write transaction: 59 µs, now 31 µs). A refusal (the
        database busy past the timeout) is raised as SQLAlchemy raises it: OperationalError."""
        statement = f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}"
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(
                statement, None, exc, sqlite3.Error, dialect=conn.dialect
            ) from exc


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


def _immediate(engine: Engine) -> Engine:
    """The engine with `sqlite_begin="IMMEDIATE"`, made once per engine and kept on it (a new
    one cost 16 µs of every write)."""
    found: Engine | None = getattr(engine, "_mentorship_immediate", None)
    if found is None:
        found = engine.execution_options(sqlite_begin="IMMEDIATE")
        engine._mentorship_immediate = found  # type: ignore[attr-defined]
    return found


@contextmanager
def write_session(engine: Engine, **session_options: Any) -> Iterator[Session]:
    """A session inside a write transaction, committed on success (BEGIN IMMEDIATE on SQLite,
    after this process's earlier writers)."""
    bind = _immediate(engine)
    with (
        _writer_turn(engine),
        Session(bind, **session_options) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """`write_session` without the ORM: a connection in a write transaction, committed on
    success. For the outbox's per-message writes, where a Session costs more than its UPDATE."""
    with _writer_turn(engine), _immediate(engine).begin() as conn:
        yield conn


@contextmanager
def autocommit_connection(engine: Engine) -> Iterator[Connection]:
    """PostgreSQL: a connection on which each statement is its own transaction, committed as
    it returns: no BEGIN and no COMMIT or ROLLBACK, two round trips fewer for a read, or a write
    that one statement does whole (a DM reply's, `storage.reflections.answer_next`).

    SQLite: a plain connection (its BEGIN and COMMIT are no round trips; and SQLAlchemy's
    AUTOCOMMIT would leave the sqlite3 connection managing transactions itself afterwards)."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            yield conn
        return
    found: Engine | None = getattr(engine, "_mentorship_autocommit", None)
    if found is None:
        found = engine.execution_options(isolation_level="AUTOCOMMIT")
        engine._mentorship_autocommit = found  # type: ignore[attr-defined]
    with found.connect() as conn:
        yield conn


@contextmanager
def write_on(conn: Connection) -> Iterator[Connection]:
    """`write_connection` on a connection the caller holds: one checkout for many short write
    transactions. Reads on it stay deferred."""
    with _writer_turn(conn.engine):
        conn.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with conn.begin():
                yield conn
        finally:
            conn.execution_options(sqlite_begin="DEFERRED")


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


def dialect_insert(dialect: str, model: Any) -> Any:
    """INSERT for `model` in the dialect's flavour (for ON CONFLICT clauses)."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


class DriverStatement:
    """A Core statement compiled once for a dialect, run on the DB-API cursor of a connection
    SQLAlchemy holds, inside that connection's transaction: the SQL, its parameters and their
    types are SQLAlchemy's, but not the execution layers between (events, result objects,
    the statement cache's lookup). Those cost about half of a DM reply's transaction on SQLite.

    For a few statements on the hottest paths only (a DM reply's, `storage/reflections.py`; a
    sender's per-message writes and SQLite's insert of new rows, `storage/outbox.py`; a new
    pair's rows, `storage/pairs.py` and `inserted_rows`; the people's cache,
    `storage/people.py`): no event sees them, and they give the driver's rows (with `results`
    applied to the columns named there). A driver error is raised as SQLAlchemy raises it
    (`DBAPIError` and its subclasses); a lost connection is invalidated. An IN list (rendered
    by SQLAlchemy at each execution) is refused: write it with OR."""

    def __init__(
        self,
        statement: Any,
        dialect: Any,
        *,
        keys: Sequence[str] | None = None,
        results: Sequence[str] = (),
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        if compiled.post_compile_params:  # rendered per execution by SQLAlchemy only
            raise ValueError("an IN list is not supported on the driver; write it with OR")
        self.sql, self._compiled, self._dialect = compiled.string, compiled, dialect
        self._order = compiled.positiontup  # the parameters' order (qmark), or None (named)
        processors = {
            compiled.bind_names[bind]: processor
            for bind in compiled.binds.values()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        self._binds = list(processors.items())  # once per parameter, however often it appears
        # `run_many`'s rows: each parameter in the driver's order, with its conversion if any.
        self._each = [
            (name, processors.get(name))
            for name in (self._order or list(compiled.bind_names.values()))
        ]
        columns = {c.key: c for c in statement.exported_columns} if results else {}
        self._results = [
            (i, processor)
            for i, name in enumerate(columns)
            if name in results
            and (
                processor := columns[name]
                .type.dialect_impl(dialect)
                .result_processor(dialect, None)
            )
        ]

    def run(self, conn: Connection, params: Mapping[str, Any]) -> int:
        """Execute with `params` on `conn`'s DB-API connection; the rows it changed."""
        cursor = self._execute(conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def first(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, its `results` columns converted as SQLAlchemy would; None if none.
        The statement is done with after it (its cursor closed)."""
        cursor = self._execute(conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        values = list(row)
        for i, processor in self._results:
            values[i] = processor(values[i])
        return tuple(values)

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, its `results` columns converted as SQLAlchemy would. The statement is
        done with after it (its cursor closed)."""
        cursor = self._execute(conn, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if not self._results:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            values = list(row)
            for i, processor in self._results:
                values[i] = processor(values[i])
            converted.append(tuple(values))
        return converted

    def run_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute once per row, in the driver's `executemany`; the rows changed in all. Every
        row gives every parameter, by name (no defaults are filled in)."""
        args: list[Any] = [[f(row[n]) if f else row[n] for n, f in self._each] for row in rows]
        if self._order is None:
            names = [n for n, _ in self._each]
            args = [dict(zip(names, values, strict=True)) for values in args]
        cursor = self._execute(conn, args, many=True)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _execute(self, conn: Connection, params: Any, *, many: bool = False) -> Any:
        if many:
            args = params
        else:
            values = self._compiled.construct_params(params)
            for name, processor in self._binds:
                values[name] = processor(values[name])
            args = values if self._order is None else [values[name] for name in self._order]
        dbapi, driver = self._dialect.loaded_dbapi, conn.connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            (cursor.executemany if many else cursor.execute)(self.sql, args)
        except dbapi.Error as exc:
            cursor.close()
            # As SQLAlchemy does: a lost connection is not used again (nor returned to the pool).
            lost = self._dialect.is_disconnect(exc, driver, cursor)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(
                self.sql, None, exc, dbapi.Error, dialect=self._dialect, connection_invalidated=lost
            ) from exc
        return cursor


def driver_statement(
    conn: Connection,
    statement: Any,
    *,
    keys: Sequence[str] | None = None,
    results: Sequence[str] = (),
) -> DriverStatement:
    """`statement` (one built once, such as a module's constant) as a DriverStatement for
    `conn`'s dialect: compiled the first time and kept on the dialect."""
    dialect = conn.dialect
    found: dict[Any, DriverStatement] | None = getattr(dialect, "_mentorship_driver", None)
    if found is None:
        found = dialect._mentorship_driver = {}  # type: ignore[attr-defined]
    key = (statement, tuple(keys or ()), tuple(results))
    compiled = found.get(key)
    if compiled is None:
        compiled = found[key] = DriverStatement(statement, dialect, keys=keys, results=results)
    return compiled


# Rows in one multi-row INSERT (`inserted_rows`): a few times what a new pair stores of one
# kind, far below the 999 parameters SQLite before 3.32 allows in a statement (the widest row
# inserted this way has 7), and each count of rows up to it is a statement compiled once.
ROWS_AT_ONCE = 32


def inserted_rows(
    conn: Connection,
    insert: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    results: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """`insert` (an INSERT with its RETURNING, and ON CONFLICT if any, built once: a module's
    constant) of `rows` (each with the same keys), up to `ROWS_AT_ONCE` in one multi-row
    statement on the driver (`DriverStatement.all`); what RETURNING gave (the columns named in
    `results` converted as SQLAlchemy would), in no set order.

    For a new pair's few rows of a kind (goals, milestones, meetings, prompts), where
    SQLAlchemy's "insertmanyvalues" spent more in its own layers than the driver in the
    statement. Each part's parameters are named `<key>_<row>`."""
    if not rows:
        return []
    names = tuple(rows[0])
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), ROWS_AT_ONCE):
        part = rows[start : start + ROWS_AT_ONCE]
        stmt = _rows_statement(insert, names, len(part))
        params = {f"{name}_{i}": row[name] for i, row in enumerate(part) for name in names}
        found += driver_statement(conn, stmt, results=results).all(conn, params)
    return found


@lru_cache(maxsize=1024)
def _rows_statement(insert: Any, names: tuple[str, ...], count: int) -> Any:
    """`insert` with VALUES for `count` rows of `names`, each parameter of its column's type
    (SQLAlchemy gives an untyped parameter its column's type in the first row only)."""
    columns = insert.table.c
    values = [
        {name: bindparam(f"{name}_{i}", type_=columns[name].type) for name in names}
        for i in range(count)
    ]
    return insert.values(values)


def core_connection(session: Session) -> Connection:
    """The session's connection, for a Core statement in its transaction; what the session
    holds is flushed first, as autoflush would before an ORM statement."""
    session.flush()
    return session.connection()


def insert_ignore(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """Insert one row unless its primary key exists (two racing requests insert it once);
    True when this call inserted it."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    keys = [column.name for column in model.__table__.primary_key.columns]
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    return bool(session.execute(stmt.returning(*model.__table__.primary_key.columns)).first())


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


@dataclass(frozen=True)
class SchemaState:
    """Whether this version of the code can run on the database's schema, and why not."""

    revision: str | None
    usable: bool
    note: str = ""  # why not, or what is unusual (a newer, additive schema)
    fix: str = ""

    def message(self) -> str:
        """The note and its fix as sentences."""
        return " ".join(f"{t[:1].upper()}{t[1:]}." for t in (self.note, self.fix) if t)


def schema_state(engine: Engine) -> SchemaState:
    """At the head: usable. Empty or older: not (run `db upgrade`). Newer than this code knows
    (a rolling upgrade migrated it): usable when the difference is additive for what this
    version uses, judged from the database itself (`additive_problems`)."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return SchemaState(current, True)
    if current is None or current in known_revisions():
        state = "empty" if current is None else f"at revision {current}"
        return SchemaState(
            current,
            False,
            f"the database schema is {state}, but this version needs {head}",
            "run `mentorship-bot db upgrade` (with the same --config / DATABASE_URL) first",
        )
    problems = _additive_problems_cached(engine, current)
    if problems:
        return SchemaState(
            current,
            False,
            f"the database schema ({current}) is newer than this version ({head}) and changes "
            f"what it uses: {problems[0]}",
            "run the version that migrated it",
        )
    return SchemaState(
        current,
        True,
        f"the database schema ({current}) is newer than this version ({head}); "
        "its changes are additive, so this version runs on it",
    )


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every migration revision shipped with the code."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(script.revision for script in scripts.walk_revisions())


_VERDICTS: dict[tuple[str, str], list[str]] = {}


def _additive_problems_cached(engine: Engine, revision: str) -> list[str]:
    """`additive_problems`, looked at once per database and revision (health checks poll)."""
    key = (engine.url.render_as_string(hide_password=True), revision)
    if key not in _VERDICTS:
        _VERDICTS[key] = additive_problems(engine)
    return _VERDICTS[key]


def additive_problems(engine: Engine) -> list[str]:
    """What in the database would break this version: a table or column it uses is gone or
    narrower, or a column it does not know must be filled in on insert (NOT NULL without a
    default). New tables, new nullable or defaulted columns and new indexes are additive."""
    inspector = inspect(engine)
    problems: list[str] = []
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            problems.append(f"table {table.name} is gone")
            continue
        found = {c["name"]: c for c in inspector.get_columns(table.name)}
        for column in table.columns:
            have = found.get(column.name)
            if have is None:
                problems.append(f"column {table.name}.{column.name} is gone")
            elif _narrower(have["type"], column.type):
                problems.append(f"column {table.name}.{column.name} is narrower")
        for name, have in found.items():
            required = not have.get("nullable", True) and have.get("default") is None
            if name not in table.columns and required and have.get("autoincrement") is not True:
                problems.append(f"new column {table.name}.{name} must be filled in")
    return problems


def _narrower(have: Any, wanted: Any) -> bool:
    """A bounded string column shorter than the one this version writes."""
    have_length, wanted_length = getattr(have, "length", None), getattr(wanted, "length", None)
    return bool(have_length and wanted_length and have_length < wanted_length)


def check_schema(engine: Engine) -> SchemaState:
    """Raise SchemaOutdated unless this version can run on the database's schema (at the head,
    or newer and additive: logged, then usable)."""
    state = schema_state(engine)
    if not state.usable:
        raise SchemaOutdated(state.message())
    if state.note:
        log.warning("%s", state.note)
    return state
