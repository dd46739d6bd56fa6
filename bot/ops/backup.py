"""`mentorship-bot backup PATH`: a consistent copy of a SQLite database while the bot runs."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import ConfigError


class BackupError(Exception):
    """The copy could not be written where asked; the message says why and what to do."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database with SQLite's online backup API; return the pages copied.

    A problem with the configured database is a ConfigError; a problem with `target` (it
    exists, is a folder, cannot be written) is a BackupError, and nothing is left behind."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise ConfigError(
            f"database.url: backup copies SQLite files; for {url.get_backend_name()} use its own "
            "tools (PostgreSQL: pg_dump --format=custom)"
        )
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise ConfigError("database.url: an in-memory database has nothing to back up")
    if not Path(source_path).exists():
        raise ConfigError(f"database.url: {source_path} does not exist")
    _check_target(target)
    pages = 0

    def progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        dest = _open_target(target)
        try:
            source.backup(dest, pages=1024, progress=progress)
            check = dest.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.Error as exc:
            dest.close()
            target.unlink(missing_ok=True)
            raise BackupError(f"The backup to {target} failed: {exc}. Nothing was kept.") from None
        dest.close()
    finally:
        source.close()
    if not check or check[0] != "ok":
        raise RuntimeError(f"the copy failed its integrity check: {check}")
    return pages


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise BackupError(
            f"{target} is a folder. Give the backup a file name, such as "
            f"{target / 'mentorship-YYYY-MM-DD.sqlite3'}."
        )
    if target.exists():
        raise BackupError(
            f"{target} already exists, and a backup never overwrites a file. "
            "Nothing was written: choose a new file name."
        )


def _open_target(target: Path) -> sqlite3.Connection:
    """The new file, with its folder created; a BackupError when it cannot be written there."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target)
        dest.execute("CREATE TABLE _write_check (x)")  # SQLite creates the file on first write
        dest.execute("DROP TABLE _write_check")
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)  # it did not exist before: leave nothing behind
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BackupError(
            f"I can't write the backup to {target}: {reason}. "
            "Choose a folder this user can write to."
        ) from None
    return dest
