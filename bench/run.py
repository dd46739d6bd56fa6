"""Run every benchmark and print one table.

    python -m bench.run [--quick | --smoke] [--sqlite-only]
                        [--only latency,dispatch,footprint,home,report]

Runs on SQLite, and on PostgreSQL too when MENTORSHIP_TEST_DATABASE_URL is set (or --postgres
URL is given); each PostgreSQL database is created for the run and dropped afterwards. The stand-in,
the bot (or reference app) and the load generator (this process) run as separate processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import dispatch, footprint, latency, scale
from bench.common import PG_ENV, Backend, exit_on_sigterm, own_cpu_seconds
from bench.load import StandIn
from bench.report import Report


@dataclass(frozen=True)
class Sizes:
    requests: int  # per kind, per concurrency, per app
    claim_sizes: tuple[int, ...]
    pairs: int  # pairs whose nudges fall due together (no limits)
    budget: float  # seconds of sending measured in that run
    limited_pairs: int
    cap: int  # chat.postMessage per minute per workspace, with limits on
    limited_timeout: float
    warm: int = 20  # warm-up requests per kind and app
    due_rows: int = 1_000  # due rows claimed at each stored size
    idle: float = 2.0  # seconds `serve` sits idle before its memory is read
    scale_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)  # pairs, for the Home and the report
    repeats: int = 7  # timed calls per figure of the Home and report benchmark (median)


FULL = Sizes(500, (1_000, 10_000, 100_000), 10_000, 30.0, 200, 600, 300.0)
QUICK = Sizes(
    100, (1_000, 10_000), 2_000, 20.0, 100, 600, 120.0, scale_sizes=(1_000, 10_000, 30_000)
)
SMOKE = Sizes(
    5, (100, 300), 20, 10.0, 10, 600, 30.0, warm=2, due_rows=100, idle=0.2,
    scale_sizes=(40, 80, 160), repeats=2,
)  # fmt: skip
BENCHMARKS = ("latency", "dispatch", "footprint", "home", "report")


def machine(pg_url: str | None) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    lines = [
        f"machine: {os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.platform()}",
        f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]
    if pg_url:
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            lines.append(f"PostgreSQL: {conn.scalar(text('SHOW server_version'))}")
        engine.dispose()
    return lines


def run_backend(
    report: Report, backend: Backend, sizes: Sizes, only: set[str], work: Path, stale_pairs: int
) -> None:
    db = backend.kind
    logs = work / f"logs-{db}"
    logs.mkdir(parents=True, exist_ok=True)
    standin = StandIn(logs)
    try:
        if "latency" in only:
            began = time.monotonic()
            latency.run(
                report,
                db,
                standin,
                backend.create("latency"),
                work,
                logs,
                sizes.requests,
                sizes.warm,
                writes_url=backend.create("writes"),
            )
            print(f"[{db}] latency benchmark took {time.monotonic() - began:.0f} s", flush=True)
        if "dispatch" in only:
            began = time.monotonic()
            dispatch.dispatch(
                report,
                db,
                backend,
                standin,
                work,
                logs,
                sizes.pairs,
                sizes.budget,
                sizes.limited_pairs,
                sizes.cap,
                sizes.limited_timeout,
                stale_pairs,
            )
            print(f"[{db}] dispatch benchmark took {time.monotonic() - began:.0f} s", flush=True)
        big_url = None
        if "dispatch" in only or "footprint" in only:
            began = time.monotonic()
            big_url = dispatch.claims(
                report, db, backend, standin, work, list(sizes.claim_sizes), sizes.due_rows
            )
            print(f"[{db}] claim benchmark took {time.monotonic() - began:.0f} s", flush=True)
        if "footprint" in only and big_url is not None:
            began = time.monotonic()
            label = f"{sizes.claim_sizes[-1]:,} pairs stored"
            footprint.footprint(
                report, db, backend, standin, work, logs, big_url, label, sizes.idle
            )
            print(f"[{db}] footprint benchmark took {time.monotonic() - began:.0f} s", flush=True)
        if "home" in only or "report" in only:
            began = time.monotonic()
            sizes_ = list(sizes.scale_sizes)
            scale.run(report, db, backend, standin, work, sizes_, sizes.repeats, only)
            print(f"[{db}] home/report benchmark took {time.monotonic() - began:.0f} s", flush=True)
    finally:
        standin.stop()
        backend.drop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller numbers (a few minutes)")
    size.add_argument("--smoke", action="store_true", help="tiny numbers: checks it all runs")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get(PG_ENV),
        help=f"PostgreSQL server to create databases on (default: ${PG_ENV})",
    )
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks to run"
    )
    parser.add_argument("--work", type=Path, default=None, help="keep files and logs here")
    parser.add_argument(
        "--stale-people",
        type=int,
        default=0,
        metavar="PAIRS",
        help="also drain PAIRS pairs' nudges under the limits with a week-old people cache "
        "(users.info, Tier 4, then sets the pace: about 2 minutes for 100 pairs)",
    )
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else QUICK if args.quick else FULL
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    pg_url = None if args.sqlite_only else args.postgres
    work = args.work or Path(tempfile.mkdtemp(prefix="mentorship-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    header = machine(pg_url)
    print("\n".join(header), flush=True)
    report = Report()
    began = time.monotonic()
    backends = [Backend("sqlite", work)]
    if pg_url:
        backends.append(Backend("postgres", work, admin_url=pg_url))
    failed = False
    try:
        for backend in backends:
            run_backend(report, backend, sizes, only, work, args.stale_people)
    except Exception:
        failed = True
        raise
    finally:
        elapsed = time.monotonic() - began
        print()
        print("\n".join(header))
        print(
            f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"total {elapsed:.0f} s; load generator CPU {own_cpu_seconds():.0f} s"
        )
        print()
        print(report.table())
        report.save(work / "results.json")
        if args.work is None and not failed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"\nfiles and logs: {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main())
