"""The command line as an operator meets it (issue 17): `--config` after the subcommand,
`--version`, a description in every `--help`, plain words from `backup`, `purge-team` refusing an
installed workspace, `db current`, the Socket Mode manifest, and quiet logs under health checks."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import build_parser, main
from bot.ops.maintenance import database_location
from storage.db import head_revision, make_engine, make_sessions, upgrade
from storage.models import HomeIntro, Person, ProgramAdmin, Workspace
from tests.kit.serving import start_serve
from tests.kit.workspace import SECRET, TOKEN

NOW = datetime(2027, 3, 1, tzinfo=UTC)
CLI = [sys.executable, "-m", "bot.cli"]


def write_config(tmp_path: Path, db_url: str, port: int = 0) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[slack]\napi_url = "http://127.0.0.1:9/api/"\n[database]\nurl = "{db_url}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\n[scheduler]\ntick_seconds = 0.5\n'
    )
    return path


def env(**extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**kept, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, **extra}


def subcommands(
    parser: argparse.ArgumentParser, prefix: str = ""
) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser, nested ones as "db upgrade"."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found[f"{prefix}{name}"] = child
                found.update(subcommands(child, f"{prefix}{name} "))
    return found


def test_config_is_accepted_before_and_after_the_subcommand(tmp_path: Path, capsys) -> None:
    after, before = tmp_path / "after.sqlite3", tmp_path / "before.sqlite3"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    config_after = write_config(tmp_path / "a", f"sqlite:///{after}")
    config_before = write_config(tmp_path / "b", f"sqlite:///{before}")
    assert main(["db", "upgrade", "--config", str(config_after)]) == 0
    assert after.exists() and not before.exists()
    assert main(["--config", str(config_before), "db", "upgrade"]) == 0
    assert before.exists()
    assert main(["db", "current", "--config", str(config_after)]) == 0
    assert str(after) in capsys.readouterr().out
    args = build_parser().parse_args(["--config", "x.toml", "doctor", "--config", "y.toml"])
    assert args.config == Path("y.toml")  # the one nearer the command wins


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"mentorship-bot {version('mentorship-bot')}"


def test_every_subcommand_has_a_description_in_its_help() -> None:
    found = subcommands(build_parser())
    assert {"serve", "worker", "socket", "db upgrade", "db current", "backup", "purge-team"} <= set(
        found
    )
    for name, parser in found.items():
        assert parser.description, f"`{name} --help` has no description"
        assert parser.description.endswith("."), name
        assert parser.description in " ".join(parser.format_help().split()), name
        assert "--config" in parser.format_help(), name


def test_backup_to_an_existing_folder_or_unwritable_path_says_so_plainly(
    tmp_path: Path, capsys
) -> None:
    db = tmp_path / "live.sqlite3"
    upgrade(f"sqlite:///{db}")
    config = write_config(tmp_path, f"sqlite:///{db}")
    existing = tmp_path / "old-backup.sqlite3"
    existing.write_bytes(b"keep me")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    cases = {
        existing: "already exists, and a backup never overwrites a file",
        tmp_path: "is a folder. Give the backup a file name",
        a_file / "backups" / "copy.sqlite3": "I can't write the backup to",
    }
    for target, said in cases.items():
        assert main(["backup", str(target), "--config", str(config)]) == 1
        err = capsys.readouterr().err
        assert said in err and str(target) in err, err
        assert "Configuration error" not in err and "Traceback" not in err
    assert existing.read_bytes() == b"keep me"
    # The real command, as a process: one plain line, no traceback.
    run = subprocess.run(
        [*CLI, "--config", str(config), "backup", str(existing)],
        env=env(),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().startswith(f"{existing} already exists")
    copy = tmp_path / "new" / "copy.sqlite3"
    assert main(["backup", str(copy), "--config", str(config)]) == 0 and copy.exists()


def _seed(db_url: str, team: str, status: str | None) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    with make_sessions(engine).begin() as s:
        if status is not None:
            s.add(Workspace(team_id=team, status=status))
        s.add(Person(team_id=team, user_id="U1", name="Omar", refreshed_at=NOW))
        s.add(ProgramAdmin(team_id=team, user_id="U1", added_by="U2", added_at=NOW))
        s.add(HomeIntro(team_id=team, user_id="U1", shown_at=NOW))
    engine.dispose()


def _count(db_url: str, table: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        n = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return n


def test_purge_team_refuses_an_installed_workspace(db_url: str, tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, db_url)
    _seed(db_url, "T0INSTALLED", "active")
    assert main(["purge-team", "T0INSTALLED", "--yes", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "T0INSTALLED still has the app installed, so nothing was deleted" in err
    assert "Remove App" in err and "Traceback" not in err
    assert _count(db_url, "people") == 1 and _count(db_url, "program_admins") == 1


def test_purge_team_deletes_an_uninstalled_workspace_entirely(
    db_url: str, tmp_path: Path, capsys
) -> None:
    config = write_config(tmp_path, db_url)
    _seed(db_url, "T0GONE", "uninstalled")
    assert main(["purge-team", "T0GONE", "--config", str(config)]) == 2  # asks for --yes first
    assert _count(db_url, "people") == 1
    assert main(["purge-team", "T0GONE", "--yes", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "program_admins: 1" in out and "home_intros: 1" in out
    for table in ("people", "program_admins", "home_intros", "workspaces"):
        assert _count(db_url, table) == 0, table


def test_purge_team_refuses_a_workspace_with_an_oauth_installation(
    db_url: str, tmp_path: Path, capsys
) -> None:
    config = write_config(tmp_path, db_url)
    _seed(db_url, "T0OAUTH", None)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO slack_bots (client_id, app_id, team_id, bot_token, bot_id, "
                "bot_user_id, is_enterprise_install, installed_at) VALUES ('c', 'A1', 'T0OAUTH', "
                "'xoxb-1', 'B1', 'U9', false, :now)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    engine.dispose()
    assert main(["purge-team", "T0OAUTH", "--yes", "--config", str(config)]) == 1
    assert "still has the app installed" in capsys.readouterr().err
    assert _count(db_url, "people") == 1


def test_db_current_prints_the_revision_and_the_absolute_location(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///data/bot.sqlite3"\n')
    (tmp_path / "data").mkdir()
    absolute = tmp_path.resolve() / "data" / "bot.sqlite3"
    assert main(["db", "current"]) == 1  # nothing there yet, and nothing created by looking
    out = capsys.readouterr().out
    assert "Schema revision: none (empty database)" in out
    assert f"Database: {absolute} (does not exist yet" in out and not absolute.exists()
    sqlite3.connect(absolute).close()  # an empty file
    assert main(["db", "current"]) == 1
    assert "run `mentorship-bot db upgrade`" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Schema revision: {head_revision()} (the newest)",
        f"Database: {absolute}",
    ]


def test_db_current_on_either_database(db_url: str, tmp_path: Path, capsys) -> None:
    upgrade(db_url)
    assert main(["db", "current", "--config", str(write_config(tmp_path, db_url))]) == 0
    revision, where = capsys.readouterr().out.splitlines()
    assert revision == f"Schema revision: {head_revision()} (the newest)"
    assert where == f"Database: {database_location(db_url)[0]}"
    assert where.startswith(("Database: /", "Database: postgresql+psycopg://"))


def test_a_server_location_never_shows_the_password() -> None:
    where, _ = database_location("postgresql+psycopg://bot:s3cret@db.internal:5432/mentorship")
    assert where == "postgresql+psycopg://bot:***@db.internal:5432/mentorship"


def test_the_manifest_for_socket_mode_has_no_urls_and_takes_a_name(capsys) -> None:
    assert main(["manifest", "--socket-mode", "--name", "Mentor Circle"]) == 0
    printed = capsys.readouterr().out
    manifest = json.loads(printed)
    assert "http" not in printed and "request_url" not in printed
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert "redirect_urls" not in manifest["oauth_config"]
    assert manifest["display_information"]["name"] == "Mentor Circle"
    assert manifest["features"]["bot_user"]["display_name"] == "Mentor-Circle"
    assert main(["manifest", "--url", "https://h.example", "--name", "x" * 36]) == 2
    assert "--name: 1 to 35 characters" in capsys.readouterr().err
    for wrong in (["manifest"], ["manifest", "--url", "https://h", "--socket-mode"]):
        with pytest.raises(SystemExit) as exited:
            main(wrong)
        assert exited.value.code == 2


def test_serve_logs_no_bolt_token_warning_and_no_alembic_lines_per_health_check(
    tmp_path: Path,
) -> None:
    """Both appeared before: Bolt's "`token` will be unused" once at start (SLACK_BOT_TOKEN is
    set and the app hands Bolt its own client), Alembic's two INFO lines on every /healthz."""
    db = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    config = write_config(tmp_path, db, 0)
    subprocess.run([*CLI, "--config", str(config), "db", "upgrade"], env=env(), check=True)
    log = tmp_path / "serve.log"
    proc, port = start_serve([*CLI, "serve", "--config", str(config)], env(), log)
    checks = 0
    try:
        deadline = time.monotonic() + 30
        while checks < 3 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    checks += r.status == 200
            except OSError:
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    err = log.read_text()
    assert checks == 3, err
    assert "listening on http://127.0.0.1" in err  # the log is there, and at INFO
    assert "will be unused" not in err
    assert "Context impl" not in err and "Will assume" not in err
