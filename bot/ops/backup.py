"""`mentorship-bot backup PATH`: a consistent copy of a SQLite database while the bot runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.config import ConfigError


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database with SQLite's online backup API; return the pages copied."""
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
    if target.exists():
        raise ConfigError(f"backup target {target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = 0

    def progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest, pages=1024, progress=progress)
        check = dest.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {check}")
    finally:
        dest.close()
        source.close()
    return pages
