"""Benchmark 1, answer latency: signed Slack requests through the real `serve` process and the
stand-in, beside a bare Bolt app on the same waitress settings (the reference).

For each app, at concurrency 1, 4 and 16, `n` requests of each kind:

- `/mentorship start`: time to the HTTP answer, and to the views.open call reaching Slack;
- the plan modal's submission: time to the HTTP answer (the bot validates, looks both people up
  with users.info, stores the pair and plans its first weeks before it answers; the reference
  only acks);
- a DM answering a reflection prompt: time to the HTTP answer, and to the reply
  (chat.postMessage) reaching Slack; `DM_MORE` times `n` DMs, in `DM_ROUNDS` rounds with the
  apps taking turns, beside a second reference that stores each DM before its reply.

Concurrency N is N people: each waits for the HTTP answer and then for the Slack call it caused
(views.open, the reply) before acting again. Every request comes from a different person, as in
real use: nobody is in the bot's people cache when they submit (users.info before the answer).
CPU time per request is read from /proc for the app's process over the timed run (its scheduler
thread included); for submissions, once the work the run left behind is done (each mentee's
plan summary arrived, the outbox drained), and the time from each submission to its mentee's
summary DM is reported beside the bare app making the same Slack calls.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.bare_app import MESSAGES
from bench.common import (
    PY,
    Proc,
    check_running,
    child_env,
    db_upgrade,
    http_ok,
    on_free_port,
    own_cpu_seconds,
    pcts,
    wait_until,
    write_config,
)
from bench.load import Prepared, Sample, StandIn, send_all
from bench.report import Report, Result
from bench.seed import analyze, seed_open_prompts
from storage.db import make_engine, make_sessions
from storage.models import Delivery

WARM = 20  # warm-up requests of each kind, per app, before the timed runs
CONCURRENCY = (1, 4, 16)  # people sending at once, each timed run
# The DM reply's timed run at each concurrency, in this many rounds with the apps taking turns
# (the order reversed every other round), its figures from all rounds' requests together: a
# reply takes 3 to 10 ms, so a slow second of the shared machine that fell on one app's block
# of requests moved its p99 by more than the bot and the reference differ.
DM_ROUNDS = 5
# ... and with this many times the requests of the other kinds (a p99 of 2,000 requests is their
# 20th slowest, not their 5th): it added about five minutes a database to the full run.
DM_MORE = 4
PLAN: dict[str, Any] = {
    "Mentee's goals": "Lead a design review\nLearn Rust async programming",
    "Mentor's goals": "Practise giving feedback",
    "Shared vision": "Leads her team's next launch",
    "Meeting cadence": "biweekly",
    "First meeting date": "2027-03-09",
    "Meeting time": "15:00",
    "Time zone": "Europe/Berlin",
    "Meeting format": "online",
    "Communication channels": ["chat", "calls"],
    "Duration": "6",
    "Feedback checkpoint every": "4",
    "Announcement channel": None,
    "Announce milestones": [],
}
DM_TEXT = "To get better at running design reviews with a bigger group."


def uid(prefix: str, i: int) -> str:
    return f"U{prefix}{i:08d}"


@dataclass
class App:
    name: str  # "bot" or "ref"
    proc: Proc
    port: int
    # user-id prefixes: who runs commands (and submits), their mentees, who answers a prompt
    commander: str
    mentee: str
    replier: str


def start_bot(standin: StandIn, db_url: str, work: Path, logs: Path) -> App:
    config = write_config(work / "latency-bot.toml", api_url=standin.api_url, db_url=db_url)
    db_upgrade(config)

    def start(port: int) -> App:
        proc = Proc.spawn(
            "latency-bot",
            [PY, "-m", "bot.cli", "--config", str(config), "serve"],
            logs,
            child_env(PORT=str(port)),
        )
        _wait_serving(proc, port, "serve to answer")
        # The scheduler's first tick runs at start-up (planning whatever was seeded); the timed
        # runs measure the steady state, so they start after it.
        wait_until(lambda: _first_tick_done(port), 120, "serve's first scheduler tick")
        return App("bot", proc, port, "C", "M", "R")

    return on_free_port(start)


def _wait_serving(proc: Proc, port: int, what: str) -> None:
    def up() -> bool:
        check_running(proc)
        return http_ok(f"http://127.0.0.1:{port}/healthz")

    wait_until(up, 60, what)


def _first_tick_done(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(json.loads(response.read()).get("last_tick"))
    except (OSError, ValueError):
        return False


def start_ref(standin: StandIn, logs: Path, calls: bool = False, writes: str | None = None) -> App:
    """The bare Bolt app; with `calls`, the one whose submissions make the bot's Slack calls;
    with `writes` (a database URL), the one that stores each DM before its reply."""

    def start(port: int) -> App:
        args = [PY, "-m", "bench.bare_app", "--port", str(port), "--api-url", standin.api_url]
        name = "calls" if calls else "writes" if writes else "ref"
        proc = Proc.spawn(
            f"latency-{name}",
            args + (["--calls"] if calls else []) + (["--writes", writes] if writes else []),
            logs,
        )
        _wait_serving(proc, port, "the bare app to answer")
        if calls:
            return App("calls", proc, port, "K", "L", "Y")
        if writes:
            return App("writes", proc, port, "X", "N", "W")
        return App("ref", proc, port, "X", "N", "Y")

    return on_free_port(start)


def submissions(standin: StandIn, app: App, span: range) -> list[Prepared]:
    """`PLAN` submitted by each of the app's people in `span` (mentor: the submitter; mentee:
    their partner), as the stand-in prepares them (each needs the plan modal open)."""
    plans = [
        {
            "user": uid(app.commander, i),
            "values": {**PLAN, "Mentor": uid(app.commander, i), "Mentee": uid(app.mentee, i)},
        }
        for i in span
    ]
    return standin.prepared("submissions", {"items": plans})


@dataclass
class Run:
    """One timed run of one kind of request against one app."""

    samples: list[Sample]
    wall: float
    cpu: float  # the app's CPU seconds during the run and the work it left to do after it
    followups: dict[str, float]  # key -> when the call it caused reached Slack
    summaries: dict[str, float] = field(default_factory=dict)  # key -> the mentee's first DM

    def answer_ms(self) -> dict[str, float]:
        return {k: v * 1000 for k, v in pcts([s.seconds for s in self.samples]).items()}

    def followup_ms(self) -> dict[str, float]:
        waits = [self.followups[s.key] - s.start for s in self.samples if s.key in self.followups]
        return {k: v * 1000 for k, v in pcts(waits).items()} if waits else {}

    def summary_ms(self) -> dict[str, float]:
        waits = [self.summaries[s.key] - s.start for s in self.samples if s.key in self.summaries]
        return {k: v * 1000 for k, v in pcts(waits).items()} if waits else {}

    def missing(self) -> int:
        return sum(1 for s in self.samples if s.key not in self.followups)

    def failed(self, accept: Callable[[Sample], bool]) -> int:
        return sum(1 for s in self.samples if not accept(s))

    @classmethod
    def merged(cls, runs: list[Run]) -> Run:
        """Several timed runs of one app as one: their requests, wall and CPU time summed."""
        followups: dict[str, float] = {}
        summaries: dict[str, float] = {}
        for run in runs:
            followups.update(run.followups)
            summaries.update(run.summaries)
        return cls(
            [s for run in runs for s in run.samples],
            sum(run.wall for run in runs),
            sum(run.cpu for run in runs),
            followups,
            summaries,
        )

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu * 1000 / max(1, len(self.samples))

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.wall if self.wall else 0.0


def timed(
    standin: StandIn,
    app: App,
    items: list[Prepared],
    concurrency: int,
    followup: str | None,
    mentees: dict[str, str] | None = None,
    settle: Callable[[], None] | None = None,
) -> Run:
    """Send `items`; the app's CPU is read once it has done what the requests left it to do
    after their answers: with `mentees` (a submission's key -> its mentee), until each
    mentee's first DM (the plan summary) has reached the stand-in, then `settle`."""
    cpu0 = app.proc.cpu()
    samples, wall = send_all(app.port, items, concurrency, followup, standin.control_url)
    summaries: dict[str, float] = {}
    for key, mentee in (mentees or {}).items():
        at = standin.call("wait", {"method": "chat.postMessage", "key": mentee, "timeout": 120})
        if at.get("at") is not None:
            summaries[key] = float(at["at"])
    if settle is not None:
        settle()
    cpu = app.proc.cpu() - cpu0
    found = {s.key: s.followed for s in samples if s.followed is not None}
    return Run(samples, wall, cpu, found, summaries)


def wait_for_outbox(db_url: str) -> None:
    """Let the bot send the plan summaries it queued before the next timed run."""
    engine = make_engine(db_url)
    sessions = make_sessions(engine)

    def drained() -> bool:
        with sessions() as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(
                    Delivery.kind == "plan_summary",
                    Delivery.status.in_(("pending", "claimed", "sending")),
                )
            )
        return waiting == 0

    try:
        wait_until(drained, timeout=120, what="the plan summaries to go out", every=0.2)
    finally:
        engine.dispose()


def run(
    report: Report,
    db: str,
    standin: StandIn,
    db_url: str,
    work: Path,
    logs: Path,
    n: int,
    warm: int = WARM,
    writes_url: str | None = None,
) -> None:
    """The latency benchmark on one database; with `writes_url` (an empty database), the DM
    reply against the bare app that stores each DM there too."""
    total = warm + len(CONCURRENCY) * n
    dm_total = warm + len(CONCURRENCY) * n * DM_MORE
    standin.add_users([uid(p, i) for p in ("C", "M", "X", "N", "K", "L") for i in range(total)])
    standin.add_users([uid(p, i) for p in ("R", "Y", "W") for i in range(dm_total)])
    bot = start_bot(standin, db_url, work, logs)
    ref = start_ref(standin, logs)
    calls = start_ref(standin, logs, calls=True)
    writes = start_ref(standin, logs, writes=writes_url) if writes_url else None
    engine = make_engine(db_url)
    seed_open_prompts(
        engine, [uid("R", i) for i in range(dm_total)], [uid("P", i) for i in range(dm_total)]
    )
    # PostgreSQL: statistics, as autovacuum gives a database soon after a bulk load. Without
    # them the planner read a person's open prompt through the workspace's index.
    analyze(engine)
    engine.dispose()
    apps = (bot, ref)
    repliers = (*apps, writes) if writes else apps  # the DM reply's apps
    spans: dict[Any, range] = {"warm": range(warm)}
    dm_spans: dict[Any, range] = {"warm": range(warm)}
    for k, c in enumerate(CONCURRENCY):
        spans[c] = range(warm + k * n, warm + (k + 1) * n)
        dm_spans[c] = range(warm + k * n * DM_MORE, warm + (k + 1) * n * DM_MORE)
    runs: tuple[str | int, ...] = ("warm", *CONCURRENCY)
    try:
        # ---- /mentorship start
        results: dict[tuple[str, Any], Run] = {}
        for conc in runs:
            for app in apps:
                items = standin.prepared(
                    "commands", {"users": [uid(app.commander, i) for i in spans[conc]]}
                )
                run_ = timed(standin, app, items, 4 if conc == "warm" else int(conc), "views.open")
                results[(app.name, conc)] = run_
        _report_kind(report, db, "start", results, n, follow="views.open")

        # ---- plan modal submission (and the bare app making the same Slack calls)
        results = {}
        for conc in runs:
            # the calls app's people open its modal first (untimed), as the others did above
            opened = standin.prepared(
                "commands", {"users": [uid(calls.commander, i) for i in spans[conc]]}
            )
            timed(standin, calls, opened, 4, "views.open")
            for app in (*apps, calls):
                items = submissions(standin, app, spans[conc])
                if app is bot:
                    wait_for_outbox(db_url)
                results[(app.name, conc)] = timed(
                    standin,
                    app,
                    items,
                    4 if conc == "warm" else int(conc),
                    None,
                    mentees={uid(app.commander, i): uid(app.mentee, i) for i in spans[conc]}
                    if app is not ref
                    else None,
                    settle=(lambda: wait_for_outbox(db_url)) if app is bot else None,
                )
        wait_for_outbox(db_url)
        _report_kind(report, db, "submit", results, n, follow=None)
        _report_floor(report, db, results)

        # ---- a DM answering a reflection prompt, in rounds (`DM_ROUNDS`)
        results = {}
        for conc in runs:
            parts: dict[str, list[Run]] = {app.name: [] for app in repliers}
            chunks = in_rounds(dm_spans[conc], 1 if conc == "warm" else DM_ROUNDS)
            for number, chunk in enumerate(chunks):
                for app in repliers if number % 2 == 0 else repliers[::-1]:
                    items = standin.prepared(
                        "dms",
                        {"items": [{"user": uid(app.replier, i), "text": DM_TEXT} for i in chunk]},
                    )
                    parts[app.name].append(
                        timed(
                            standin,
                            app,
                            items,
                            4 if conc == "warm" else int(conc),
                            "chat.postMessage",
                        )
                    )
            for name, done in parts.items():
                results[(name, conc)] = Run.merged(done)
        _report_kind(report, db, "DM reply", results, n * DM_MORE, follow="chat.postMessage")
        if writes_url:
            _report_writes(report, db, results)
            _check_stored(report, db, writes_url, sum(len(dm_spans[c]) for c in runs))
    finally:
        for app in (*repliers, calls):
            app.proc.stop()
    problems = [line for line in bot.proc.tail(400).splitlines() if "ERROR" in line]
    if problems:
        print(f"[{db}] bot errors during the latency benchmark:\n  " + "\n  ".join(problems[:5]))


def _report_floor(report: Report, db: str, results: dict[tuple[str, Any], Run]) -> None:
    """The submission against the bare app making the same Slack calls (two users.info before
    the ack, two chat.postMessage after): what the bot's own work adds to Slack's part."""
    for conc in CONCURRENCY:
        bot, calls = results[("bot", conc)], results[("calls", conc)]
        measure = f"submit c{conc} %s, against the same Slack calls"
        _cpu_row(report, db, measure, bot, calls)
        report.add(
            Result(
                "latency",
                measure % "p99 to HTTP answer",
                db,
                bot.answer_ms()["p99"],
                "ms",
                calls.answer_ms()["p99"],
            )
        )
        _quantile_rows(
            report, db, measure, "to the mentee's summary DM", bot.summary_ms(), calls.summary_ms()
        )
        missing = sum(1 for s in bot.samples if s.key not in bot.summaries)
        if missing:
            report.add(
                Result(
                    "latency",
                    f"submit c{conc} summaries that never arrived",
                    db,
                    float(missing),
                    "requests",
                    None,
                    "0",
                )
            )


def _quantile_rows(
    report: Report,
    db: str,
    measure: str,
    what: str,
    mine: dict[str, float],
    theirs: dict[str, float],
) -> None:
    """The p50 and p99 rows of `measure` (a %-template) `what`: the bot's against another app's."""
    for q in ("p50", "p99"):
        report.add(
            Result(
                "latency",
                measure % f"{q} {what}",
                db,
                mine.get(q, float("nan")),
                "ms",
                theirs.get(q, float("nan")),
            )
        )


def _cpu_row(report: Report, db: str, measure: str, mine: Run, theirs: Run) -> None:
    """The CPU-per-request row of `measure` (a %-template): the bot's against another app's."""
    report.add(
        Result(
            "latency",
            measure % "CPU per request",
            db,
            mine.cpu_ms_per_request,
            "ms",
            theirs.cpu_ms_per_request,
        )
    )


def in_rounds(span: range, rounds: int) -> list[range]:
    """`span` cut into `rounds` consecutive parts of (nearly) equal size, none empty."""
    rounds = max(1, min(rounds, len(span)))
    edges = [span.start + len(span) * k // rounds for k in range(rounds + 1)]
    return [range(a, b) for a, b in pairwise(edges)]


def _report_writes(report: Report, db: str, results: dict[tuple[str, Any], Run]) -> None:
    """The DM reply against the bare app that stores each DM (one INSERT, committed) before
    its reply: what the bot's work besides one durable write adds."""
    for conc in CONCURRENCY:
        bot, writes = results[("bot", conc)], results[("writes", conc)]
        measure = f"DM reply c{conc} %s, against one stored row"
        _quantile_rows(report, db, measure, "to the reply", bot.followup_ms(), writes.followup_ms())
        _cpu_row(report, db, measure, bot, writes)
        failed = writes.failed(_ok) + writes.missing()
        if failed:
            report.add(
                Result(
                    "latency",
                    f"DM reply c{conc} failed or unanswered (the storing bare app)",
                    db,
                    float(failed),
                    "requests",
                    None,
                    "0",
                )
            )


def _check_stored(report: Report, db: str, writes_url: str, sent: int) -> None:
    """The storing bare app stored a row for each DM it was sent (a figure against an app that
    skipped its write would flatter nothing but mislead): any missing row is reported."""
    engine = make_engine(writes_url)
    try:
        with engine.connect() as conn:
            stored = int(conn.scalar(select(func.count()).select_from(MESSAGES)) or 0)
    finally:
        engine.dispose()
    if stored != sent:
        report.add(
            Result(
                "latency",
                "DM reply: the storing bare app's rows not stored",
                db,
                float(sent - stored),
                "rows",
                None,
                "0",
            )
        )


def _ok(sample: Sample) -> bool:
    return sample.status == 200 and b"response_action" not in sample.body


def _report_kind(
    report: Report,
    db: str,
    kind: str,
    results: dict[tuple[str, Any], Run],
    n: int,
    follow: str | None,
) -> None:
    what = {"views.open": "views.open", "chat.postMessage": "the reply"}.get(follow or "", "")
    for conc in CONCURRENCY:
        bot, ref = results[("bot", conc)], results[("ref", conc)]
        b_ans, r_ans = bot.answer_ms(), ref.answer_ms()
        for q in ("p50", "p95", "p99"):
            target = ""
            if kind == "start" and q == "p99":
                target = "≤ 1.3× ref" + ("; ≪ 3000 ms" if conc == 16 else "")
            report.add(
                Result(
                    "latency",
                    f"{kind} c{conc} {q} to HTTP answer",
                    db,
                    b_ans[q],
                    "ms",
                    r_ans[q],
                    target,
                )
            )
        if follow is not None:
            b_f, r_f = bot.followup_ms(), ref.followup_ms()
            for q in ("p50", "p95", "p99"):
                report.add(
                    Result(
                        "latency",
                        f"{kind} c{conc} {q} to {what}",
                        db,
                        b_f.get(q, float("nan")),
                        "ms",
                        r_f.get(q, float("nan")),
                        "≤ 1.3× ref" if q == "p99" and kind == "start" else "",
                    )
                )
        report.add(
            Result(
                "latency",
                f"{kind} c{conc} CPU per request",
                db,
                bot.cpu_ms_per_request,
                "ms",
                ref.cpu_ms_per_request,
            )
        )
        if conc == 16:
            report.add(
                Result(
                    "latency", f"{kind} c16 throughput", db, bot.throughput, "req/s", ref.throughput
                )
            )
        failed = bot.failed(_ok) + (bot.missing() if follow else 0)
        ref_failed = ref.failed(_ok) + (ref.missing() if follow else 0)
        if failed or ref_failed:
            report.add(
                Result(
                    "latency",
                    f"{kind} c{conc} failed or unanswered",
                    db,
                    float(failed),
                    "requests",
                    float(ref_failed),
                    f"0 of {n}",
                )
            )
    print(f"[{db}] load generator CPU so far: {own_cpu_seconds():.1f} s", flush=True)
