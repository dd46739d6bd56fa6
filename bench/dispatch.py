"""Benchmark 2, dispatch at scale.

- Claims: `storage.outbox.claim_due` timed directly with 1,000 / 10,000 / 100,000 pairs stored
  (each pair: 3 meetings, 12 deliveries of which 8 pending, 2 goals, 2 cached people) and the
  same 1,000 due rows each time; plus a claim with nothing due and an idle planner tick (what
  every heartbeat pays). The reference is the same figure at the smallest size: the cost must
  grow with the due rows, not with all rows.
- Throughput: `mentorship-bot worker` (default settings: a tick every 30 s) against the stand-in
  without rate limits, with `pairs` active pairs whose 2 × `pairs` nudges fell due in the same
  minute: nudges per second and the worker's CPU milliseconds per nudge. The reference is one
  thread posting the same message with the same WebClient and no database (bench/raw_poster.py).
- Under Slack's limits: the same with the stand-in's SlackLimits switched on (chat.postMessage
  1/s per channel with a burst of 4 and `cap`/min per workspace; Tier 3/4 for the other
  methods): the delivered rate as a fraction of what the limit allows, no duplicates, none lost.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench.common import (
    PY,
    T0,
    TEAM,
    Backend,
    Proc,
    bot_cmd,
    child_env,
    db_upgrade,
    wait_until,
    write_config,
)
from bench.load import StandIn
from bench.report import Report, Result
from bench.seed import (
    add_due_notices,
    analyze,
    cancel_notices,
    mentee_id,
    mentor_id,
    seed_pairs,
)
from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.pairs.planner import plan_tick
from storage.db import make_engine
from storage.models import Delivery
from storage.outbox import cancel_for_meeting, claim_due

DUE_ROWS = 1000
BATCH = 50


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def _cancel_ms(sessions: Any, size: int) -> float:
    """What answering a meeting (held, skipped, rescheduled) costs the outbox: its pending
    nudges and follow-ups cancelled, in a transaction rolled back (15 times, median)."""
    pair_id = size // 2
    with sessions() as session:
        key = session.scalars(
            select(Delivery.occurrence_key)
            .where(Delivery.pair_id == pair_id, Delivery.status == "pending")
            .where(Delivery.kind == "nudge")
            .limit(1)
        ).one()  # nudge:<meeting id>:<user>
    meeting_id = int(key.split(":")[1])

    def cancel() -> None:
        with sessions() as session:
            assert cancel_for_meeting(session, TEAM, pair_id, meeting_id, "bench") > 0
            session.rollback()

    return statistics.median(_ms(cancel)[0] for _ in range(15))


def claims(
    report: Report,
    db: str,
    backend: Backend,
    standin: StandIn,
    work: Path,
    sizes: list[int],
    due_rows: int = DUE_ROWS,
) -> str:
    """Claim timings at each size; returns the URL of the largest database (for footprint)."""
    url = backend.create("claims")
    config = write_config(work / "claims.toml", api_url=standin.api_url, db_url=url)
    db_upgrade(config)
    engine = make_engine(url)
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "x"}
    cfg = parse_config({"database": {"url": url}, "slack": {"api_url": standin.api_url}}, env)
    runtime = build_runtime(cfg, clock=ManualClock(T0), check=False)
    lease = timedelta(seconds=120)
    first: dict[str, float] = {}
    stored = 0
    try:
        for size in sizes:
            start = time.perf_counter()
            counts = seed_pairs(engine, stored + 1, size - stored, due_nudges=False)
            took = (time.perf_counter() - start) * 1000
            stored = size
            analyze(engine)
            print(f"[{db}] seeded {size:,} pairs ({counts}) in {took / 1000:.1f} s", flush=True)
            empty = [
                _ms(lambda: claim_due(engine, "bench", T0, lease, BATCH))[0] for _ in range(15)
            ]
            add_due_notices(engine, f"s{size}", due_rows, T0)
            per_claim: list[float] = []
            claimed = 0
            while True:
                took, ids = _ms(lambda: claim_due(engine, "bench", T0, lease, BATCH))
                if not ids:
                    break
                per_claim.append(took)
                claimed += len(ids)
            cancel_notices(engine, f"s{size}")
            assert claimed == due_rows, claimed
            plans = [_ms(lambda: plan_tick(runtime.services))[0] for _ in range(5)]
            figures = {
                "claim 50 due rows, median": statistics.median(per_claim),
                f"claim all {due_rows:,} due rows": sum(per_claim),
                "claim with nothing due, median": statistics.median(empty),
                "idle planner tick, median": statistics.median(plans),
                "cancel one meeting's nudges, median": _cancel_ms(runtime.services.sessions, size),
            }
            for name, value in figures.items():
                key = f"{name}"
                first.setdefault(key, value)
                report.add(
                    Result(
                        "dispatch",
                        f"{name} ({size:,} pairs stored)",
                        db,
                        value,
                        "ms",
                        first[key],
                        "≈ 1× ref (cost grows with due rows, not all rows)"
                        if size != sizes[0]
                        else "",
                    )
                )
    finally:
        runtime.engine.dispose()
        engine.dispose()
    return url


def _raw_reference(standin: StandIn, work: Path, logs: Path, count: int) -> dict[str, float]:
    result = work / "raw_poster.json"
    proc = Proc.spawn(
        "raw-poster",
        [
            PY,
            "-m",
            "bench.raw_poster",
            "--api-url",
            standin.api_url,
            "--count",
            str(count),
            "--result",
            str(result),
        ],
        logs,
    )
    proc.popen.wait(timeout=600)
    data: dict[str, float] = json.loads(result.read_text())
    standin.call("forget")
    return data


def _run_worker(
    standin: StandIn,
    config: Path,
    logs: Path,
    name: str,
    expected: int,
    budget: float,
    *,
    kill: bool,
) -> dict[str, Any]:
    """Start a worker; stop it once `expected` messages were accepted or `budget` seconds
    after the first one (with SIGKILL when `kill`: what a crash in the middle of sending leaves)."""
    standin.call("forget")
    proc = Proc.spawn(name, bot_cmd(config, "worker"), logs, child_env())
    started = time.monotonic()

    def accepted() -> int:
        counts = standin.call("counts")
        return int(counts["statuses"].get("chat.postMessage 200", 0))

    try:
        wait_until(lambda: accepted() > 0, timeout=120, what="the first nudge", every=0.05)
        cpu_first, first_seen = proc.cpu(), time.monotonic()
        finished = True
        try:
            wait_until(
                lambda: accepted() >= expected, timeout=budget, what="all nudges", every=0.25
            )
        except TimeoutError:
            finished = False
        stopped_at = time.monotonic()
        cpu_end = proc.cpu()
        if kill:
            proc.popen.kill()
            proc.popen.wait(timeout=10)
        else:
            time.sleep(1.0)  # let the worker record the last results
    finally:
        proc.stop()
    arrivals = standin.call("arrivals", {"method": "chat.postMessage"})
    ok = sorted(at for _key, at, status in arrivals if status == 200)
    counts = standin.call("counts")["statuses"]
    return {
        "finished": finished,
        "ok_times": ok,
        "limited": int(counts.get("chat.postMessage 429", 0)),
        "calls": counts,
        "cpu": cpu_end - cpu_first,
        "cpu_window": stopped_at - first_seen,
        "from_start": (ok[-1] - started) if ok else float("nan"),
        "stopped_at": stopped_at,
        "posted": standin.call("posted")["ids"],
    }


def _verify(engine: Engine, first_pair: int, last_pair: int, posted: list[int]) -> dict[str, int]:
    """What became of the due nudges of pairs first..last, against what Slack received."""
    meeting = T0 + timedelta(hours=24)  # m0's nudges: a 429 moves due_at, not expires_at
    with engine.connect() as conn:
        rows = conn.execute(
            select(Delivery.id, Delivery.status).where(
                Delivery.kind == "nudge",
                Delivery.pair_id.between(first_pair, last_pair),
                Delivery.expires_at.between(meeting - timedelta(minutes=1), meeting),
            )
        ).all()
    times = Counter(posted)
    statuses = Counter(r.status for r in rows)
    return {
        "due": len(rows),
        "sent": statuses.get("sent", 0),
        # posted twice, or recorded as sent without reaching Slack exactly once
        "duplicates": sum(1 for r in rows if times[r.id] > 1),
        "lost": sum(1 for r in rows if r.status == "sent" and times[r.id] != 1)
        + sum(n for s, n in statuses.items() if s in ("failed", "expired", "cancelled")),
        # posted, but the worker died before recording it: `sending` now, `unknown` later
        "unrecorded": sum(1 for r in rows if r.status in ("sending", "unknown")),
        "not yet sent": statuses.get("pending", 0) + statuses.get("claimed", 0),
    }


def dispatch(
    report: Report,
    db: str,
    backend: Backend,
    standin: StandIn,
    work: Path,
    logs: Path,
    pairs: int,
    budget: float,
    limited_pairs: int,
    cap: int,
    limited_timeout: float,
    stale_pairs: int = 0,
) -> None:
    # ---- no limits: throughput with 2 × `pairs` nudges due
    url = backend.create("dispatch")
    config = write_config(work / "dispatch.toml", api_url=standin.api_url, db_url=url)
    db_upgrade(config)
    engine = make_engine(url)
    took, _ = _ms(lambda: seed_pairs(engine, 1, pairs, due_nudges=True))
    analyze(engine)
    print(f"[{db}] seeded {pairs:,} pairs with due nudges in {took / 1000:.1f} s", flush=True)
    standin.add_users([u for i in range(1, pairs + 1) for u in (mentor_id(i), mentee_id(i))])
    standin.call("limits", {"config": None})
    expected = 2 * pairs
    try:
        raw = _raw_reference(standin, work, logs, min(expected, 2000))
        raw_rate = raw["posted"] / raw["seconds"]
        raw_cpu = raw["cpu"] * 1000 / raw["posted"]
        run = _run_worker(standin, config, logs, f"worker-{db}", expected, budget, kill=True)
        ok = run["ok_times"]
        rate = (len(ok) - 1) / (ok[-1] - ok[0]) if len(ok) > 1 else float("nan")
        due = f"{expected:,} nudges due"
        report.add(Result("dispatch", f"nudges per second, {due}", db, rate, "nudges/s", raw_rate))
        report.add(
            Result(
                "dispatch",
                f"worker CPU per nudge, {due}",
                db,
                run["cpu"] * 1000 / max(1, len(ok)),
                "ms",
                raw_cpu,
            )
        )
        report.add(
            Result(
                "dispatch",
                f"time to send all {expected:,} at that rate",
                db,
                expected / rate,
                "s",
                expected / raw_rate,
            )
        )
        check = _verify(engine, 1, pairs, run["posted"])
        report.add(
            Result(
                "dispatch",
                "no limits: duplicates / lost",
                db,
                float(check["duplicates"] + check["lost"]),
                "nudges",
                target="0",
            )
        )
        print(f"[{db}] no limits, worker killed after {len(ok):,} nudges: {check}", flush=True)
    finally:
        engine.dispose()

    # ---- Slack's limits switched on: `limited_pairs` pairs due, sent to the end
    _limited(report, db, backend, standin, work, logs, limited_pairs, cap, limited_timeout)
    if stale_pairs:
        _limited(
            report, db, backend, standin, work, logs, stale_pairs, cap, limited_timeout, stale=True
        )


def _limited(
    report: Report,
    db: str,
    backend: Backend,
    standin: StandIn,
    work: Path,
    logs: Path,
    pairs: int,
    cap: int,
    timeout: float,
    *,
    stale: bool = False,
) -> None:
    """A worker drains `pairs` pairs' due nudges under Slack's limits. With `stale`, the people
    cache is a week old (as before a weekly nudge), so rendering refreshes it with users.info
    (Tier 4) as far as its budget allows; the Tier bucket then allows a burst of 10 instead of a
    minute's worth, to reach the steady state soon."""
    label = "limited, people cache a week old" if stale else "limited"
    url = backend.create("stale" if stale else "limited")
    config = write_config(work / f"{label[:7]}.toml", api_url=standin.api_url, db_url=url)
    db_upgrade(config)
    engine = make_engine(url)
    refreshed = T0 - timedelta(days=7) if stale else T0
    seed_pairs(engine, 1, pairs, due_nudges=True, refreshed_at=refreshed)
    analyze(engine)
    standin.add_users([u for i in range(1, pairs + 1) for u in (mentor_id(i), mentee_id(i))])
    limits: dict[str, Any] = {
        "post_per_channel_per_second": 1.0,
        "post_channel_burst": 4,
        "post_workspace_per_minute": float(cap),
    }
    if stale:
        limits["tier_burst_seconds"] = 6.0
    standin.call("limits", {"config": limits})
    expected = 2 * pairs
    try:
        name = f"worker-{'stale' if stale else 'limited'}-{db}"
        run = _run_worker(standin, config, logs, name, expected, timeout, kill=False)
    finally:
        standin.call("limits", {"config": None})
    ok = run["ok_times"]
    end = ok[-1] if run["finished"] else run["stopped_at"]
    window = end - ok[0] if ok else float("nan")
    rate_per_s = cap / 60
    burst = max(1, round(cap / 30))  # SlackLimits' default workspace burst
    allowed = burst + rate_per_s * window
    report.add(
        Result(
            "dispatch",
            f"{label}: delivered / allowed by the {cap}/min cap",
            db,
            len(ok) / allowed,
            "fraction",
            target="" if stale else "≥ 0.9",
        )
    )
    report.add(
        Result(
            "dispatch",
            f"{label}: delivered rate after the burst",
            db,
            (len(ok) - burst) / window if window else float("nan"),
            "nudges/s",
            rate_per_s,
        )
    )
    calls = run["calls"]
    limited = sum(n for k, n in calls.items() if k.endswith(" 429"))
    report.add(Result("dispatch", f"{label}: 429 answers, any method", db, float(limited), "calls"))
    if stale:  # answered calls: the client's own retries of a 429 are counted above
        users_info = calls.get("users.info 200", 0)
        report.add(
            Result(
                "dispatch",
                f"{label}: users.info calls",
                db,
                users_info / max(1, len(ok)),
                "per nudge",
            )
        )
    check = _verify(engine, 1, pairs, run["posted"])
    engine.dispose()
    report.add(
        Result(
            "dispatch",
            f"{label}: duplicates / lost of {expected:,}",
            db,
            float(check["duplicates"] + check["lost"] + check["unrecorded"]),
            "nudges",
            target="0",
        )
    )
    if not run["finished"]:
        report.add(
            Result(
                "dispatch",
                f"{label}: not sent after {timeout:.0f} s",
                db,
                float(check["not yet sent"]),
                "nudges",
                target="0",
            )
        )
    print(f"[{db}] {label}: {check}; calls {calls}", flush=True)
