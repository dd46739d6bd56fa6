"""Paired `serve` runs: two checkouts of the bot (or one with two environments) on one stand-in,
timed in alternating rounds, so that a slow minute of a shared machine falls on both.

    python -m bench.paired --app before=../old --app after=. [--kind submit] [--db sqlite]

Each `--app NAME=TREE[:KEY=VALUE,...]` runs `mentorship-bot serve` from the checkout at TREE
(with those extra environment variables) on a database of its own. Each round sends every app
`--n` requests of one kind at `--concurrency`, the apps' order reversed every other round,
after one untimed warm-up round; a round is measured as `bench/latency.py` measures a timed run
(a submission's CPU includes the work it left behind: it is read once each mentee's plan
summary has arrived and the outbox has none left to send, before the next app's round). It
prints each round and, per app, the lowest, median and highest of its rounds: the direction
and size of a change, where one full run each way on a noisy machine says neither.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import latency
from bench.common import (
    PG_ENV,
    PY,
    Backend,
    Proc,
    check_running,
    child_env,
    exit_on_sigterm,
    free_port,
    wait_until,
    write_config,
)
from bench.load import StandIn
from bench.seed import analyze, seed_open_prompts
from storage.db import make_engine

KINDS = ("start", "submit", "dm")
FIGURES = ("cpu", "p50", "p99", "followup p50", "summary p50")


@dataclass
class PairedApp:
    """One app of the comparison: its process, its people's id prefix and its database."""

    app: latency.App
    db_url: str
    rounds: list[dict[str, float]] = field(default_factory=list)


def parse_app(spec: str) -> tuple[str, Path, dict[str, str]]:
    """`NAME=TREE[:KEY=VALUE,...]` as (name, tree, extra environment)."""
    name, sep, rest = spec.partition("=")
    if not sep or not name or not rest:
        raise argparse.ArgumentTypeError(f"expected NAME=TREE[:KEY=VALUE,...], got {spec!r}")
    tree, _, envs = rest.partition(":")
    extra: dict[str, str] = {}
    for pair in filter(None, envs.split(",")):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {pair!r}")
        extra[key] = value
    return name, Path(tree).resolve(), extra


def start_app(
    standin: StandIn,
    backend: Backend,
    work: Path,
    logs: Path,
    index: int,
    spec: tuple[str, Path, dict[str, str]],
) -> PairedApp:
    """`serve` from the app's checkout, on a new database, after its first scheduler tick."""
    name, tree, extra = spec
    if not (tree / "bot" / "cli.py").is_file():
        raise SystemExit(f"{tree} is not a checkout of the bot (no bot/cli.py)")
    db_url = backend.create(f"paired{index}")
    config = write_config(work / f"paired-{name}.toml", api_url=standin.api_url, db_url=db_url)
    subprocess.run(
        [PY, "-m", "bot.cli", "--config", str(config), "db", "upgrade"],
        cwd=tree,
        env=child_env(),
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = logs / f"paired-{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            [PY, "-m", "bot.cli", "--config", str(config), "serve"],
            cwd=tree,
            env=child_env(PORT=str(port), **extra),
            stdout=out,
            stderr=out,
        )
    proc = Proc(f"paired-{name}", popen, log, time.monotonic())
    latency._wait_serving(proc, port, f"{name}'s serve to answer")
    wait_until(lambda: latency._first_tick_done(port), 120, f"{name}'s first scheduler tick")
    letter = chr(ord("A") + index)
    return PairedApp(
        latency.App(name, proc, port, f"{letter}C", f"{letter}M", f"{letter}R"), db_url
    )


def one_round(
    standin: StandIn, paired: PairedApp, kind: str, span: range, conc: int
) -> latency.Run:
    """One timed run of `kind` for the app's people in `span`."""
    app, uid = paired.app, latency.uid
    if kind == "start":
        items = standin.prepared("commands", {"users": [uid(app.commander, i) for i in span]})
        return latency.timed(standin, app, items, conc, "views.open")
    if kind == "dm":
        body = {"items": [{"user": uid(app.replier, i), "text": latency.DM_TEXT} for i in span]}
        return latency.timed(standin, app, standin.prepared("dms", body), conc, "chat.postMessage")
    # A submission needs its modal open: each person runs /mentorship start first, untimed.
    opened = standin.prepared("commands", {"users": [uid(app.commander, i) for i in span]})
    latency.timed(standin, app, opened, 4, "views.open")
    items = latency.submissions(standin, app, span)
    latency.wait_for_outbox(paired.db_url)
    return latency.timed(
        standin,
        app,
        items,
        conc,
        None,
        mentees={uid(app.commander, i): uid(app.mentee, i) for i in span},
        settle=lambda: latency.wait_for_outbox(paired.db_url),
    )


def figures(run: latency.Run) -> dict[str, float]:
    answer, followup, summary = run.answer_ms(), run.followup_ms(), run.summary_ms()
    found = {"cpu": run.cpu_ms_per_request, "p50": answer["p50"], "p99": answer["p99"]}
    if followup:
        found["followup p50"] = followup["p50"]
    if summary:
        found["summary p50"] = summary["p50"]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.paired", description=__doc__)
    parser.add_argument("--app", action="append", type=parse_app, required=True)
    parser.add_argument("--kind", choices=KINDS, default="submit")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres", default=None, help=f"PostgreSQL server to create databases on (${PG_ENV})"
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--n", type=int, default=500, help="requests per app per round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--work", type=Path, default=Path("bench-paired"))
    args = parser.parse_args(argv)
    if len(args.app) < 2:
        parser.error("give two apps or more (--app NAME=TREE ...)")
    admin = None
    if args.db == "postgres":
        admin = args.postgres or os.environ.get(PG_ENV)
        if not admin:
            parser.error(f"--db postgres needs --postgres URL or {PG_ENV}")
    work: Path = args.work.resolve()
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    backend = Backend(args.db, work, admin)
    standin = StandIn(logs)
    apps: list[PairedApp] = []
    try:
        for index, spec in enumerate(args.app):
            apps.append(start_app(standin, backend, work, logs, index, spec))
        total = (args.rounds + 1) * args.n
        for paired in apps:
            app = paired.app
            people = (app.commander, app.mentee, app.replier)
            standin.add_users([latency.uid(p, i) for p in people for i in range(total)])
            if args.kind == "dm":
                engine = make_engine(paired.db_url)
                repliers = [latency.uid(app.replier, i) for i in range(total)]
                partners = [latency.uid(app.commander[0] + "P", i) for i in range(total)]
                seed_open_prompts(engine, repliers, partners)
                analyze(engine)
                engine.dispose()
        for number in range(args.rounds + 1):
            order = apps if number % 2 == 0 else apps[::-1]
            for paired in order:
                check_running(paired.app.proc)
                span = range(number * args.n, (number + 1) * args.n)
                run = one_round(standin, paired, args.kind, span, args.concurrency)
                if number == 0:
                    continue  # warm-up
                found = figures(run)
                paired.rounds.append(found)
                shown = "  ".join(f"{k} {v:.2f}" for k, v in found.items())
                print(f"round {number} {paired.app.name}: {shown}", flush=True)
    finally:
        for proc in (*(p.app.proc for p in apps), standin.proc):
            proc.stop()
        backend.drop_all()
    print(f"\n{args.kind} at concurrency {args.concurrency}, {args.rounds} rounds of {args.n}:")
    for paired in apps:
        for figure in FIGURES:
            values = [r[figure] for r in paired.rounds if figure in r]
            if values:
                print(
                    f"{paired.app.name:>12} {figure:>12} (ms): lowest {min(values):.2f}, "
                    f"median {statistics.median(values):.2f}, highest {max(values):.2f}"
                )
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    raise SystemExit(main())
