"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from storage.db import make_engine, upgrade
from storage.models import Base


def test_migrations_match_models(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"


def test_0005_records_workspaces_in_use_so_an_upgrade_welcomes_nobody(db_url: str) -> None:
    """Workspaces with people or pairs stored under 0001 get an active row; a workspace with a
    row already keeps it as it was."""
    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO people (team_id, user_id, name, deleted, is_bot, is_admin, "
                "refreshed_at) VALUES ('T0INUSE', 'U1', 'Omar', false, false, false, :now), "
                "('T0GONE', 'U1', 'Omar', false, false, false, :now)"
            ),
            {"now": datetime(2027, 1, 1)},
        )
        conn.execute(
            text("INSERT INTO workspaces (team_id, status) VALUES ('T0GONE', 'uninstalled')")
        )
    upgrade(db_url)
    with engine.connect() as conn:
        rows = {
            r.team_id: r.status
            for r in conn.execute(text("SELECT team_id, status FROM workspaces"))
        }
    engine.dispose()
    assert rows == {"T0INUSE": "active", "T0GONE": "uninstalled"}
