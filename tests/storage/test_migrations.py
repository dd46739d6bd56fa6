"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and an
existing database upgrades in place without losing a row."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import alembic_config, make_engine, upgrade
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


def test_an_existing_database_upgrades_in_place_and_back(db_url: str) -> None:
    """A 0001 database with a pair, its goal and a delivery keeps all of them through 0002 (pairs
    gain an empty program id) and back down to 0001 again."""
    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    now = "2027-03-01 08:00:00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pairs (id, team_id, mentor_id, mentee_id, people_key, creator_id, "
                "status, start_date, end_date, tz, cadence, monthly_mode, meeting_time, format, "
                "channels, checkpoint_weeks, announce, schedule_version, created_at, updated_at) "
                "VALUES (1, 'T1', 'U1', 'U2', 'U1:U2', 'U1', 'active', '2027-03-09', "
                "'2027-09-09', 'Europe/Berlin', 'weekly', 'weekday_position', '15:00:00', "
                f"'online', 'chat', 4, false, 1, '{now}', '{now}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO goals (id, team_id, pair_id, owner, text, status, position) "
                "VALUES (1, 'T1', 1, 'mentee', 'Lead a design review', 'open', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (id, team_id, kind, pair_id, recipient_id, "
                "occurrence_key, due_at, status, attempts, payload, created_at) VALUES "
                f"(1, 'T1', 'nudge', 1, 'U1', 'nudge:1:a:U1', '{now}', 'pending', 0, '{{}}', "
                f"'{now}')"
            )
        )
    engine.dispose()

    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pair = conn.execute(text("SELECT id, program_id, checkpoint_questions FROM pairs")).all()
        assert [tuple(row) for row in pair] == [(1, None, None)]
        assert conn.execute(text("SELECT count(*) FROM goals")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM programs")).scalar() == 0
    engine.dispose()

    downgrade(db_url, "0001")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert "program_id" not in {c["name"] for c in inspect(conn).get_columns("pairs")}
        assert "programs" not in inspect(conn).get_table_names()
        assert conn.execute(text("SELECT count(*) FROM goals")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar() == 1
    engine.dispose()


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
