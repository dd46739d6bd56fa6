"""Shared pieces of the benchmarks: processes and their CPU/memory, databases, configuration."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret"
TEAM = "T0BENCH001"
# The simulated instant the bot's clock starts at (a Monday, 11:00 in Berlin).
T0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
PG_ENV = "MENTORSHIP_TEST_DATABASE_URL"
CLK_TCK = os.sysconf("SC_CLK_TCK")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a bot process: this one's, minus any real Slack settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class PortTaken(RuntimeError):
    """The port picked for a child process was taken by another before the child bound it."""


def on_free_port(start: Callable[[int], T], tries: int = 3) -> T:
    """`start(port)` on a port that was free a moment ago, and again on another when some other
    process (a test running beside this benchmark) bound that one first: `free_port` cannot
    hold the port for the child it is picked for."""
    for attempt in range(1, tries + 1):
        try:
            return start(free_port())
        except PortTaken:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def check_running(proc: Proc) -> None:
    """Nothing while `proc` runs; PortTaken when it ended because its port was taken (see
    `on_free_port`), RuntimeError with its log's tail when it ended otherwise."""
    if proc.alive():
        return
    tail = proc.tail()
    if "Address already in use" in tail:
        raise PortTaken(f"{proc.name}: its port was taken before it bound it")
    raise RuntimeError(f"{proc.name} exited:\n{tail}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident) of a process, in KiB."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    return found


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def wait_until(predicate: Callable[[], T], timeout: float, what: str, every: float = 0.02) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Proc:
    """A child process with its log file; CPU and memory read from /proc."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def spawn(
        cls, name: str, args: Sequence[str], logs: Path, env: dict[str, str] | None = None
    ) -> Proc:
        log = logs / f"{name}.log"
        out: IO[bytes] = log.open("ab")
        started = time.monotonic()
        popen = subprocess.Popen(
            list(args), cwd=ROOT, env=env or child_env(), stdout=out, stderr=out
        )
        out.close()
        return cls(name, popen, log, started)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def memory(self) -> dict[str, int]:
        return memory_kb(self.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def pcts(values: Sequence[float]) -> dict[str, float]:
    return {f"p{q}": percentile(values, q) for q in (50, 95, 99)}


# ---------------------------------------------------------------- databases


@dataclass
class Backend:
    """SQLite files in a work folder, or private databases on a PostgreSQL server."""

    kind: str  # "sqlite" or "postgres"
    work: Path
    admin_url: str | None = None
    created: list[str] = field(default_factory=list)

    def create(self, label: str) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        if self.kind == "sqlite":
            path = self.work / f"{label}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        assert self.admin_url is not None
        name = f"mentorship_bench_{label}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.kind != "postgres" or not self.created:
            return
        assert self.admin_url is not None
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        self.created.clear()


def write_config(
    path: Path,
    *,
    api_url: str,
    db_url: str,
    tick_seconds: float | None = None,
    lease_seconds: float | None = None,
    clock_start: datetime = T0,
    level: str = "info",
) -> Path:
    """A config.toml as an operator would write it (host 127.0.0.1; PORT comes from the env)."""
    lines = [
        "[slack]",
        f'api_url = "{api_url}"',
        "[database]",
        f'url = "{db_url}"',
        "[server]",
        'host = "127.0.0.1"',
        "[clock]",
        f'start = "{clock_start.isoformat()}"',
        "speed = 1",
        "[logging]",
        f'level = "{level}"',
    ]
    scheduler = []
    if tick_seconds is not None:
        scheduler.append(f"tick_seconds = {tick_seconds}")
    if lease_seconds is not None:
        scheduler.append(f"lease_seconds = {lease_seconds}")
    if scheduler:
        lines += ["[scheduler]", *scheduler]
    path.write_text("\n".join(lines) + "\n")
    return path


def bot_cmd(config: Path, *args: str) -> list[str]:
    return [PY, "-m", "bot.cli", "--config", str(config), *args]


def db_upgrade(config: Path) -> None:
    """`mentorship-bot db upgrade` in a process of its own."""
    subprocess.run(
        bot_cmd(config, "db", "upgrade"), cwd=ROOT, env=child_env(), check=True, capture_output=True
    )


@contextlib.contextmanager
def stopping(*procs: Proc | None) -> Iterator[None]:
    try:
        yield
    finally:
        for proc in procs:
            if proc is not None:
                proc.stop()


def fmt(value: Any, digits: int = 1) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def exit_on_sigterm() -> None:
    """SIGTERM (`timeout`, a cancelled job) raises SystemExit in a benchmark's main thread, so
    its `finally` blocks stop the processes it started and drop the databases it made; Python's
    default ends it at once and leaves both behind. For a runner's `__main__` only: the handler
    is the whole process's."""

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
