"""The command line as an operator uses it: migrations, refusing an old schema, serving, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from storage.db import check_schema, head_revision, make_engine
from tests.kit.serving import start_serve
from tests.kit.workspace import SECRET, TOKEN


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, **extra)
    return env


def _write_config(tmp_path: Path, db_url: str, port: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[slack]\napi_url = "http://127.0.0.1:9/api/"\n[database]\nurl = "{db_url}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\n[scheduler]\ntick_seconds = 0.5\n'
    )
    return path


def test_db_upgrade_creates_schema_at_head(db_url: str, tmp_path: Path, capsys) -> None:
    config = _write_config(tmp_path, db_url, 0)
    engine = make_engine(db_url)
    with pytest.raises(Exception, match="mentorship-bot db upgrade"):
        check_schema(engine)
    assert main(["--config", str(config), "db", "upgrade"]) == 0
    assert "newest schema" in capsys.readouterr().out
    check_schema(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"pairs", "goals", "milestones", "meetings", "people", "deliveries"} <= tables
    assert main(["--config", str(config), "db", "upgrade"]) == 0  # idempotent
    engine.dispose()
    assert head_revision()


def test_serve_refuses_outdated_schema(tmp_path: Path, monkeypatch, capsys) -> None:
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}", 0)
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    assert main(["--config", str(config), "serve"]) == 3
    assert "mentorship-bot db upgrade" in capsys.readouterr().err


def test_bad_config_names_the_key(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[scheduler]\ntick_seconds = -5\n")
    assert main(["--config", str(bad), "db", "upgrade"]) == 2
    assert "scheduler.tick_seconds" in capsys.readouterr().err


def test_serve_without_secrets_says_which(tmp_path: Path, monkeypatch, capsys) -> None:
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", 0)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert main(["--config", str(config), "serve"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_serve_answers_health_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    config = _write_config(tmp_path, db, 0)
    cmd = [sys.executable, "-m", "bot.cli", "--config", str(config)]
    subprocess.run([*cmd, "db", "upgrade"], env=_env(), check=True, capture_output=True)
    log = tmp_path / "serve.log"
    proc, port = start_serve([*cmd, "serve"], _env(), log)
    try:
        body = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    body = json.loads(r.read())
            except OSError:
                time.sleep(0.1)
        assert body is not None, "serve never answered /healthz"
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["scheduler"] == "running"
        req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", method="GET")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=2)
        assert info.value.code == 405
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    err = log.read_text()
    assert proc.returncode == 0, err
    assert "stopped" in err
