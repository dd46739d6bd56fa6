"""Scale-out on PostgreSQL: two `serve --no-scheduler` web processes and two `worker` processes on
one database. Pairs are created through both web processes while both workers send; one worker
is killed with SIGKILL in the middle of its dispatch. Every delivery is counted: none lost, none
posted twice (each Slack message carries its delivery id as message metadata)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from bot.standin import SlackDriver, SlackStandIn
from storage.db import make_engine, make_sessions
from storage.models import Delivery, Pair
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.plans import PLAN
from tests.kit.serving import bound_port
from tests.kit.workspace import SECRET, TEAM, TOKEN, wait_for

ROOT = Path(__file__).resolve().parents[2]
PAIRS = 120  # driven through the two web processes
NOTICES = 600  # extra due messages, so the kill lands mid-dispatch
CLOCK_START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET)
    return env


@pytest.fixture
def pg_url(postgres_url: str | None) -> Iterator[str]:
    if postgres_url is None:
        pytest.skip("MENTORSHIP_TEST_DATABASE_URL not set")
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield postgres_url


def _wait_http(port: int) -> None:
    import urllib.request

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    wait_for(up, timeout=30, what=f"serve on {port}")


def test_two_web_two_workers_one_killed(pg_url: str, tmp_path: Path) -> None:
    standin = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET, team_id=TEAM).start()
    users = [f"U{i:09d}" for i in range(2 * PAIRS)]
    for i, user in enumerate(users):
        standin.add_user(user, f"person{i}", real_name=f"Person {i}", tz="Europe/Berlin")
    standin.delay("chat.postMessage", 0.004)  # a little Slack latency keeps workers busy
    config = tmp_path / "config.toml"
    config.write_text(
        f'[slack]\napi_url = "{standin.api_url}"\n[database]\nurl = "{pg_url}"\n'
        "[scheduler]\ntick_seconds = 0.2\nlease_seconds = 2\n"
        f'[clock]\nstart = "{CLOCK_START.isoformat()}"\nspeed = 1\n'
        '[logging]\nformat = "json"\n'
    )
    cmd = [sys.executable, "-m", "bot.cli", "--config", str(config)]
    subprocess.run([*cmd, "db", "upgrade"], env=_env(), cwd=ROOT, check=True, capture_output=True)
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, *args: str, port: int | None = None) -> None:
        env = _env() | ({"PORT": str(port)} if port is not None else {})
        out = (logs / f"{name}.log").open("ab")
        procs[name] = subprocess.Popen([*cmd, *args], env=env, cwd=ROOT, stdout=out, stderr=out)

    engine = make_engine(pg_url)
    try:
        for i in range(2):
            start(f"web{i}", "serve", "--no-scheduler", port=0)
        ports = [bound_port(logs / f"web{i}.log", procs[f"web{i}"]) for i in range(2)]
        for port in ports:
            _wait_http(port)
        # Seed due notices, then start both workers.
        with make_sessions(engine).begin() as s:
            add_deliveries(
                s,
                [
                    NewDelivery(
                        team_id=TEAM,
                        kind="notice",
                        recipient_id=users[i % len(users)],
                        occurrence_key=f"load:{i}",
                        due_at=CLOCK_START - timedelta(minutes=1),
                        payload={"text": f"notice {i}"},
                    )
                    for i in range(NOTICES)
                ],
                CLOCK_START,
            )
        start("worker0", "worker")
        start("worker1", "worker")

        # Meanwhile people start mentorships through both web processes.
        def drive(i: int) -> int:
            url = f"http://127.0.0.1:{ports[i % 2]}/slack/events"
            driver = SlackDriver(standin, bot_url=url, signing_secret=SECRET)
            mentor, mentee = users[2 * i], users[2 * i + 1]
            driver.slash_command(mentor, f"start <@{mentee}>")
            view = wait_for(lambda: standin.views_for(mentor), what="a plan modal")[-1]
            r = driver.submit_view(
                mentor,
                view.id,
                {
                    **PLAN,
                    "Mentor": mentor,
                    "Mentee": mentee,
                    "Announcement channel": None,
                    "Announce milestones": [],
                },
            )
            return r.status

        # Kill worker0 once it has sent part of the load.
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(drive, range(PAIRS)))
            wait_for(
                lambda: len(standin.messages) > NOTICES // 4, timeout=60, what="dispatch to start"
            )
            procs["worker0"].send_signal(signal.SIGKILL)
            procs["worker0"].wait(timeout=10)
        assert statuses == [200] * PAIRS

        sessions = make_sessions(engine)

        def settled() -> bool:
            with sessions() as s:
                open_rows = s.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.kind.in_(("notice", "plan_summary")),
                        Delivery.status.in_(("pending", "claimed", "sending")),
                    )
                )
            return open_rows == 0

        wait_for(settled, timeout=120, what="the surviving worker to finish")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        standin.stop()

    with make_sessions(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Pair)) == PAIRS
        rows = s.execute(select(Delivery.id, Delivery.kind, Delivery.status)).all()
    engine.dispose()
    due = [r for r in rows if r.kind in ("notice", "plan_summary")]
    assert len(due) == NOTICES + 2 * PAIRS + 1  # and the welcome of the workspace's first person
    posted = Counter(
        (m.metadata or {}).get("event_payload", {}).get("delivery_id")
        for m in standin.messages
        if m.user == standin.bot_user_id and m.metadata
    )
    duplicates = {d: n for d, n in posted.items() if n > 1}
    assert not duplicates, f"posted twice: {duplicates}"
    by_status = Counter(r.status for r in due)
    unknown = [r.id for r in due if r.status == "unknown"]
    lost = [r.id for r in due if r.status == "sent" and posted[r.id] != 1]
    assert not lost, f"marked sent but not posted exactly once: {lost[:10]}"
    assert set(by_status) <= {"sent", "unknown"}, by_status
    # A SIGKILL can land during at most one in-flight Slack call per claimed batch.
    assert len(unknown) <= 1, unknown
    print(
        f"scale-out: {dict(by_status)}; unknown rows actually posted: {sum(posted[u] for u in unknown)}"
    )
