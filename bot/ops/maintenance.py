"""Database chores for operators: `db current` (which schema, where), `purge-team` (a
workspace that uninstalled the app). Each prints through `out` and returns the exit status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.core.config import Config
from bot.workspaces.manifest import APP_NAME
from storage.db import current_revision, head_revision, make_engine, make_sessions
from storage.workspaces import installed, purge_team

Out = Callable[[str], None]


class CommandFailed(Exception):
    """A command could not do its job for a reason the operator can fix; the message says it
    plainly (the command line prints it without a traceback and exits 1)."""


def database_location(url: str) -> tuple[str, bool]:
    """Where the database is, as an operator finds it: a SQLite file's absolute path (and
    whether it exists), or the server URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return parsed.render_as_string(hide_password=True), True
    if parsed.database in (None, "", ":memory:"):
        return "in memory (nothing is kept)", True
    path = Path(parsed.database).expanduser().resolve()
    return str(path), path.exists()


def db_current(config: Config, out: Out) -> int:
    """Print the schema revision and the database's location; 1 unless at the newest schema.
    A SQLite file that does not exist is not created by looking."""
    where, exists = database_location(config.database_url)
    head, current = head_revision(), None
    if exists:
        engine = make_engine(config.database_url)
        try:
            current = current_revision(engine)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise CommandFailed(f"Cannot read the database at {where}: {reason}") from None
        finally:
            engine.dispose()
    state = "the newest"
    if current != head:
        state = f"this version needs {head}: run `mentorship-bot db upgrade`"
    out(f"Schema revision: {current or 'none (empty database)'} ({state})")
    out(f"Database: {where}" + ("" if exists else " (does not exist yet; `db upgrade` creates it)"))
    return 0 if current == head else 1


def purge_workspace(config: Config, team_id: str, confirmed: bool, out: Out) -> int:
    """Delete every row of a workspace that uninstalled the app; refuse while it is installed,
    and ask for `--yes` first."""
    engine = make_engine(config.database_url)
    try:
        with make_sessions(engine)() as session:
            still_there = installed(session, team_id)
        if still_there:
            raise CommandFailed(
                f"{team_id} still has the app installed, so nothing was deleted. Remove the app "
                f"from that workspace first (in Slack: Tools → Apps → {APP_NAME} → Remove App), "
                "then run this again."
            )
        if not confirmed:
            out(f"This deletes every mentorship, reflection and message record of {team_id}.")
            out("Run again with --yes to do it. Back up first: mentorship-bot backup PATH.")
            return 2
        with make_sessions(engine).begin() as session:
            counts = purge_team(session, team_id)
    finally:
        engine.dispose()
    out(", ".join(f"{table}: {n}" for table, n in counts.items() if n) or "nothing stored")
    return 0
