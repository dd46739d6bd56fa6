"""doctor, backup and structured logs, as an operator meets them."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.core.config import Config, ConfigError, parse_config
from bot.core.logs import JsonFormatter, scrub
from bot.ops.backup import BackupError, backup_sqlite
from bot.ops.doctor import run_doctor
from bot.standin import SlackStandIn
from bot.workspaces.manifest import BOT_SCOPES
from storage.db import make_engine, upgrade
from storage.models import BOTS_TABLE, INSTALLATIONS_TABLE
from tests.kit.workspace import SECRET, TOKEN, make_config


def _doctor(standin: SlackStandIn, db: str, **env: str) -> tuple[int, str]:
    config = make_config(standin.api_url, db)
    lines: list[str] = []
    code = run_doctor(config, lines.append)
    return code, "\n".join(lines)


def test_doctor_all_good(standin: SlackStandIn, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ok.sqlite3'}"
    upgrade(db)
    code, out = _doctor(standin, db)
    assert code == 0, out
    assert "token works for workspace" in out and out.endswith("All good.")


def test_doctor_reports_missing_scope_schema_and_bad_token(tmp_path: Path) -> None:
    standin = SlackStandIn(
        bot_token=TOKEN, signing_secret=SECRET, scopes=[s for s in BOT_SCOPES if s != "im:history"]
    )
    standin.start()
    try:
        empty = tmp_path / "empty.sqlite3"
        sqlite3.connect(empty).close()  # a database file without the schema
        code, out = _doctor(standin, f"sqlite:///{empty}")
        assert code == 1
        assert "✗ the token lacks scope: im:history" in out
        assert "reinstall the app" in out
        assert "✗ the database schema is empty" in out and "mentorship-bot db upgrade" in out
        assert out.endswith("2 problems found.")
        bad = make_config(standin.api_url, f"sqlite:///{tmp_path / 'x.sqlite3'}")
        lines: list[str] = []
        from dataclasses import replace

        bad = replace(bad, slack=replace(bad.slack, bot_token="xoxb-wrong"))
        assert run_doctor(bad, lines.append) == 1
        assert any("Slack rejected the bot token: invalid_auth" in line for line in lines)
    finally:
        standin.stop()


def test_doctor_never_creates_a_database_file(standin: SlackStandIn, tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "mentorship.sqlite3"
    code, out = _doctor(standin, f"sqlite:///{missing}")
    assert code == 1
    assert f"✗ the database file {missing} does not exist" in out
    assert "mentorship-bot db upgrade" in out
    assert not missing.exists() and not missing.parent.exists()


def _oauth_config(db: str) -> Config:
    env = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}
    return parse_config({"database": {"url": db}, "slack": {"api_url": "http://127.0.0.1:9/"}}, env)


def _install(db: str, team_id: str, name: str, scopes: list[str]) -> None:
    engine = make_engine(db)
    store = SQLAlchemyInstallationStore(
        client_id="1.2",
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )
    store.save(
        Installation(
            app_id="A0APP",
            team_id=team_id,
            team_name=name,
            bot_token=f"xoxb-{team_id}",
            bot_id="B0BOT",
            bot_user_id="U0BOT",
            bot_scopes=scopes,
            user_id="U0OMAR0001",
        )
    )
    engine.dispose()


def test_doctor_in_oauth_mode_checks_installations_and_their_scopes(tmp_path: Path) -> None:
    # No SLACK_BOT_TOKEN in this mode: each workspace's token lives in the database.
    db = f"sqlite:///{tmp_path / 'oauth.sqlite3'}"
    upgrade(db)
    lines: list[str] = []
    assert run_doctor(_oauth_config(db), lines.append) == 1
    out = "\n".join(lines)
    assert "SLACK_BOT_TOKEN" not in out
    assert "✗ no workspace has installed the app yet" in out and "/slack/install" in out

    _install(db, "T0AAAAAAA1", "Acme", list(BOT_SCOPES))
    _install(db, "T0BBBBBBB1", "Globex", [s for s in BOT_SCOPES if s != "im:history"])
    lines.clear()
    assert run_doctor(_oauth_config(db), lines.append) == 1
    out = "\n".join(lines)
    assert "✗ workspace Globex (T0BBBBBBB1) was installed without scope: im:history" in out
    assert "Acme" not in out and out.endswith("1 problem found.")

    _install(db, "T0BBBBBBB1", "Globex", list(BOT_SCOPES))  # installed again, all scopes
    lines.clear()
    assert run_doctor(_oauth_config(db), lines.append) == 0, lines
    assert "✓ 2 workspaces installed, each with every scope the bot needs" in lines


def test_backup_copies_a_live_sqlite_database(tmp_path: Path) -> None:
    db_file = tmp_path / "live.sqlite3"
    url = f"sqlite:///{db_file}"
    upgrade(url)
    with sqlite3.connect(db_file) as conn:
        conn.execute(
            "INSERT INTO people (team_id, user_id, name, deleted, is_bot, is_admin, refreshed_at) VALUES ('T', 'U', 'Omar', 0, 0, 0, '2027-01-01')"
        )
    target = tmp_path / "backups" / "copy.sqlite3"
    assert backup_sqlite(url, target) > 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT name FROM people").fetchall() == [("Omar",)]
    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(url, target)
    with pytest.raises(ConfigError, match="pg_dump"):
        backup_sqlite("postgresql+psycopg://h/db", tmp_path / "x")


def test_json_logs_carry_ids_and_never_tokens() -> None:
    record = logging.LogRecord(
        "bot.x", logging.ERROR, __file__, 1, "sent with xoxb-123-abc", None, None
    )
    record.team_id, record.pair_id, record.delivery_id = "T1", 7, 42
    line = json.loads(JsonFormatter().format(record))
    assert line["team_id"] == "T1" and line["pair_id"] == 7 and line["delivery_id"] == 42
    assert "xoxb-123" not in line["msg"] and line["level"] == "error"
    assert scrub("xapp-1-A0-123 and xoxp-9") == "xapp-*** and xoxp-***"
