"""A worker killed with SIGKILL in the middle of a dispatch, then started again: nothing is
posted twice, nothing is lost, and what may have been posted is marked `unknown`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.standin import SlackStandIn
from storage.db import make_engine, make_sessions
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, SECRET, TEAM, TOKEN, wait_for

ROOT = Path(__file__).resolve().parents[2]
N = 80
OPEN = ("pending", "claimed", "sending")
POST = "chat.postMessage"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET)
    return env


def _worker(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([*cmd, "worker"], env=_env(), cwd=ROOT, stderr=out, stdout=out)


def _seeded(
    standin: SlackStandIn, tmp_path: Path, label: str, scheduler: str = ""
) -> tuple[list[str], Engine, sessionmaker[Session]]:
    """A migrated SQLite database with N due notices "<label> message 0000"..., and the
    worker command line for it (`scheduler` adds lines to the [scheduler] section)."""
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[slack]\napi_url = "{standin.api_url}"\n[database]\nurl = "{url}"\n'
        + (f"[scheduler]\n{scheduler}" if scheduler else "")
    )
    assert main(["--config", str(config), "db", "upgrade"]) == 0  # the CLI, in-process: quicker
    engine = make_engine(url)
    sessions = make_sessions(engine)
    now = datetime.now(UTC)
    people = (OMAR, MAYA, LENA, KAI)
    with sessions.begin() as s:
        add_deliveries(
            s,
            [
                NewDelivery(
                    team_id=TEAM,
                    kind="notice",
                    recipient_id=people[i % len(people)],
                    occurrence_key=f"{label}:{i}",
                    due_at=now - timedelta(seconds=1),
                    payload={"text": f"{label} message {i:04d}"},
                )
                for i in range(N)
            ],
            now,
        )
    return [sys.executable, "-m", "bot.cli", "--config", str(config)], engine, sessions


def test_sigkill_during_dispatch_then_restart(
    standin: SlackStandIn, tmp_path: Path, capsys
) -> None:
    cmd, engine, sessions = _seeded(
        standin, tmp_path, "restart", "tick_seconds = 0.2\nlease_seconds = 2\n"
    )
    standin.delay(POST, 0.005)
    log = tmp_path / "worker.log"

    def posted() -> Counter[str]:
        return Counter(m.text for m in standin.messages if m.text.startswith("restart message"))

    def in_flight() -> int:
        """Requests the stand-in has received but not yet answered (it records them first)."""
        return len(standin.calls_to(POST)) - sum(posted().values())

    first = _worker(cmd, log)
    try:
        # 30 is in the middle of the first batch of 50. Then Slack turns slow, and the worker is
        # killed while its next request is inside the stand-in: Slack will post it regardless.
        wait_for(lambda: len(posted()) >= 30, timeout=30, what="the first worker sending")
        standin.delay(POST, 1.0)
        wait_for(lambda: in_flight() > 0, timeout=10, what="a request in flight")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:  # pragma: no cover - only when the wait above failed
            first.kill()
    wait_for(lambda: in_flight() == 0, timeout=5, what="the orphaned request to be posted")
    standin.delay(POST, 0.005)
    posted_by_first = len(posted())
    with sessions() as s:
        at_kill = Counter(s.scalars(select(Delivery.status)))
    assert at_kill["sent"] < N and first.returncode == -signal.SIGKILL
    assert at_kill["sending"] == 1 and at_kill["claimed"] > 0

    second = _worker(cmd, log)
    try:

        def settled() -> bool:
            with sessions() as s:
                left = s.scalar(select(Delivery.id).where(Delivery.status.in_(OPEN)).limit(1))
            return left is None

        wait_for(settled, timeout=30, what="the second worker finishing")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert second.returncode == 0, log.read_text()[-2000:]

    with sessions() as s:
        rows = {d.payload["text"]: d for d in s.scalars(select(Delivery))}
    engine.dispose()
    counts = posted()
    statuses = Counter(d.status for d in rows.values())
    assert set(statuses) <= {"sent", "unknown"}, statuses
    assert max(counts.values()) == 1, [t for t, c in counts.items() if c > 1]  # none twice
    for text, d in rows.items():
        if d.status == "sent":
            assert counts[text] == 1, text  # nothing lost
    unknown = [text for text, d in rows.items() if d.status == "unknown"]
    # The row caught mid-request: Slack did post it, and the restarted worker did not again.
    assert len(unknown) == 1 and counts[unknown[0]] == 1
    assert sum(counts.values()) == N
    with capsys.disabled():
        print(
            f"\n[restart] killed after {posted_by_first} of {N} posts, statuses at kill "
            f"{dict(at_kill)}; finally {dict(statuses)}; unknown rows posted: "
            f"{sum(counts[t] for t in unknown)} of {len(unknown)}"
        )


def test_sigterm_during_a_long_dispatch_stops_promptly_and_loses_nothing(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    """SIGTERM while a tick works through a backlog: the worker exits after the message in
    flight instead of finishing the tick; what it claimed but did not send is pending again."""
    cmd, engine, sessions = _seeded(standin, tmp_path, "sigterm")
    standin.delay(POST, 0.1)  # the tick would take 8 s

    def posted() -> Counter[str]:
        return Counter(m.text for m in standin.messages if m.text.startswith("sigterm message"))

    worker = _worker(cmd, tmp_path / "worker.log")
    try:
        wait_for(lambda: len(posted()) >= 5, timeout=30, what="the worker sending")
        worker.send_signal(signal.SIGTERM)
        began = time.monotonic()
        worker.wait(10)
        took = time.monotonic() - began
    finally:
        if worker.poll() is None:  # pragma: no cover - only when the wait above failed
            worker.kill()
    assert worker.returncode == 0 and took < 5.0, took  # finishing the tick: 8 s
    with sessions() as s:
        rows = list(s.scalars(select(Delivery)))
    engine.dispose()
    counts = posted()
    statuses = Counter(d.status for d in rows)
    assert set(statuses) == {"sent", "pending"}, statuses
    assert statuses["sent"] == len(counts) < N and max(counts.values()) == 1
    assert {d.attempts for d in rows if d.status == "pending"} == {0}
