"""The deployment files, checked as far as this machine allows (no Docker daemon here): the
Dockerfile's instructions, compose.yaml parsed and its commands run through the real argument
parser, the systemd units verified by `systemd-analyze`, and the image's HEALTHCHECK command run
against a real `serve`."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.cli import build_parser
from tests.kit.serving import start_serve
from tests.kit.workspace import SECRET, TOKEN

REPO = Path(__file__).resolve().parents[2]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}" if pending else line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        word, _, rest = pending.partition(" ")
        found.append((word.upper(), rest.strip()))
        pending = ""
    return found


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    return steps[starts[-1] :]


def parses(args: list[str]) -> Any:
    """A `mentorship-bot` command line, parsed by the real parser (exits on a typo)."""
    return build_parser().parse_args(args)


def test_the_dockerfile_builds_from_slim_python_and_runs_as_a_user() -> None:
    steps = instructions(REPO / "Dockerfile")
    froms = [args for word, args in steps if word == "FROM"]
    assert froms and all(re.match(r"python:\$\{PYTHON_VERSION\}-slim\b", f) for f in froms)
    assert "ARG PYTHON_VERSION=3.12" in (REPO / "Dockerfile").read_text()
    final = final_stage(steps)
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    words = [word for word, _ in final]
    assert words.index("USER") < words.index("ENTRYPOINT")  # nothing runs as root at the end
    entry = next(args for word, args in final if word == "ENTRYPOINT")
    cmd = next(args for word, args in final if word == "CMD")
    assert entry == '["mentorship-bot"]'
    assert parses(yaml.safe_load(cmd)).func.__name__ == "cmd_serve"
    for word, args in steps:  # every file copied from the build context exists
        if word == "COPY" and not args.startswith("--from"):
            for source in shlex.split(args)[:-1]:
                assert source == "constraints.tx[t]" or (REPO / source).exists(), source


def test_the_dockerfile_uses_the_constraints_file_when_there_is_one() -> None:
    steps = instructions(REPO / "Dockerfile")
    copies = [args for word, args in steps if word == "COPY"]
    assert any("constraints.tx[t]" in c for c in copies)  # copied when present, else nothing
    install = next(args for word, args in steps if word == "RUN" and "pip install" in args)
    assert "if [ -f constraints.txt ]" in install
    assert '--constraint constraints.txt ".[postgres]"' in install
    assert "!constraints.txt" in (REPO / ".dockerignore").read_text().splitlines()


def test_the_healthcheck_asks_healthz_and_fails_when_nothing_answers(tmp_path: Path) -> None:
    """The HEALTHCHECK's own command, run here with /bin/sh as Docker would: 0 while `serve`
    answers /healthz, 1 once it stopped."""
    check = next(args for word, args in instructions(REPO / "Dockerfile") if word == "HEALTHCHECK")
    assert "/healthz" in check and "--interval" in check
    command = check.split(" CMD ", 1)[1].replace("python ", f"{shlex.quote(sys.executable)} ", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        PORT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    )
    cli = [sys.executable, "-m", "bot.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=tmp_path)
    serve, port = start_serve(
        [*cli, "serve", "--no-scheduler"], env, tmp_path / "serve.log", tmp_path
    )
    env["PORT"] = str(port)  # where the HEALTHCHECK, as Docker runs it, asks
    try:
        deadline, healthy = time.monotonic() + 30, False
        while not healthy and time.monotonic() < deadline:
            healthy = subprocess.run(["/bin/sh", "-c", command], env=env).returncode == 0
            time.sleep(0.2)
        assert healthy, "the HEALTHCHECK never passed against a running serve"
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=20)
    gone = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True)
    assert gone.returncode == 1


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgresql_a_migration_web_without_scheduler_and_a_worker() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "web", "worker"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    commands = {name: services[name]["command"] for name in ("migrate", "web", "worker")}
    assert commands == {
        "migrate": ["db", "upgrade"],
        "web": ["serve", "--no-scheduler"],
        "worker": ["worker"],
    }
    for name, args in commands.items():  # each is a real subcommand of the image's entry point
        parsed = parses(args)
        assert parsed.func.__name__ in ("cmd_db_upgrade", "cmd_serve", "cmd_worker"), name
    assert parses(commands["web"]).no_scheduler is True
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
    assert services["web"]["ports"] == ["3000:3000"]
    # The image's HEALTHCHECK asks /healthz: off where nothing serves HTTP.
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in services["web"]


def test_compose_takes_secrets_from_env_and_points_every_process_at_postgresql() -> None:
    services = compose()["services"]
    text = (REPO / "compose.yaml").read_text()
    assert "xoxb-" not in text and "SLACK_SIGNING_SECRET" not in text  # secrets stay in .env
    for name in ("migrate", "web", "worker"):
        service = services[name]
        assert service["build"] == "." and service["env_file"] == ".env"
        url = service["environment"]["DATABASE_URL"]
        filled = re.sub(r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", "pw", url)
        parsed = make_url(filled)
        assert (parsed.drivername, parsed.host, parsed.database) == (
            "postgresql+psycopg",
            "postgres",
            "mentorship",
        )
    example = (REPO / "deploy" / "env.example").read_text()
    assert "POSTGRES_PASSWORD=" in example and "SLACK_SIGNING_SECRET=" in example
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()


@pytest.mark.parametrize("unit", ["mentorship-bot.service", "mentorship-worker.service"])
def test_the_systemd_units_are_valid_and_run_real_commands(unit: str, tmp_path: Path) -> None:
    source = (REPO / "deploy" / "systemd" / unit).read_text()
    execs = re.findall(r"^Exec(?:Start|StartPre)=(\S+) (.+)$", source, re.MULTILINE)
    assert execs
    for binary, args in execs:
        assert binary == "/opt/mentorship/bin/mentorship-bot"
        parses(shlex.split(args))
    assert "User=mentorship" in source and "KillSignal=SIGTERM" in source
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax was not verified")
    installed = Path(sys.executable).with_name("mentorship-bot")
    copy = tmp_path / unit
    copy.write_text(source.replace("/opt/mentorship/bin/mentorship-bot", str(installed)))
    result = subprocess.run([verify, "verify", str(copy)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
