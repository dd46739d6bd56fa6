"""The App Home and the program report at scale (`--only home,report` in `bench.run`).

One database grows through the sizes (e.g. 1,000, 10,000 and 100,000 pairs, `bench/scale_seed.py`);
at each size, in this process, with the real feature functions and the stand-in process as Slack:

- home: `publish_home` for a program admin (the program overview), to the end of `views.publish`
  (median of a few), after the heartbeat's recount of a large workspace's overview snapshot
  (`refresh_overviews`); and that count itself (`program_totals`, which the Home of a workspace
  under 2,000 pairs runs live); and the Home of the person in 30 pairs. Reference: the same at
  the smallest size. At the smallest size also that person's Home against a person in one pair
  and against a bare `views.publish` of the same view; and the SQL statements each Home runs.
- report: the `/mentorship report` reply (`report_reply`), `mentorship-bot export --csv`
  (`export_csv`) and `/mentorship report csv` (`send_report_csv`, the upload to the stand-in):
  wall time, and the peak of memory allocated during the call (tracemalloc, a second call).
  References: time at the smallest size; memory at the second size (the 10,000-pair one).
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bench.common import TEAM, TOKEN, Backend, db_upgrade, write_config
from bench.load import StandIn
from bench.report import Report, Result
from bench.scale_seed import ADMIN, NOW, PERSON1, PERSON30, grow
from bench.seed import analyze
from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.home.publish import home_data, publish_home
from bot.home.view import build_home
from bot.reports.csv_dm import send_report_csv
from bot.reports.export import export_csv
from bot.reports.overview import REFRESH_AFTER, refresh_overviews
from bot.reports.reply import report_reply
from bot.reports.totals import program_totals

FLAT = "≤ 2× ref"


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm: caches, connections, the stand-in's first answer
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


@contextlib.contextmanager
def _counting(engine: Engine) -> Iterator[list[int]]:
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(engine: Engine, fn: Callable[[], Any]) -> float:
    with _counting(engine) as seen:
        fn()
    return float(seen[0])


def run(
    report: Report,
    db: str,
    backend: Backend,
    standin: StandIn,
    work: Path,
    sizes: list[int],
    repeats: int,
    only: set[str],
) -> None:
    """Grow one dataset through `sizes` and measure the Home and the report at each."""
    url = backend.create("scale")
    db_upgrade(write_config(work / "scale.toml", api_url=standin.api_url, db_url=url))
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": "x"}
    raw = {"database": {"url": url}, "slack": {"api_url": standin.api_url}}
    cfg = parse_config({**raw, "program": {"admins": [ADMIN]}}, env)
    clock = ManualClock(NOW)
    runtime = build_runtime(cfg, clock=clock, check=False)
    services, engine = runtime.services, runtime.engine
    client = services.client
    standin.add_users([ADMIN, PERSON30, PERSON1])
    probe = {"type": "home", "blocks": [{"type": "divider"}]}
    client.views_publish(user_id=ADMIN, view=probe)  # raises if the stand-in refuses the token
    first: dict[str, float] = {}
    second: dict[str, float] = {}
    stored = 0
    try:
        for n, size in enumerate(sizes):
            start = time.perf_counter()
            grow(engine, stored, size)
            stored = size
            analyze(engine)
            print(
                f"[{db}] seeded {size:,} pairs in {time.perf_counter() - start:.1f} s", flush=True
            )
            figures: dict[str, tuple[float, str]] = {}
            if "home" in only:
                # The heartbeat's part: a large workspace's overview is counted off the Home's
                # path and kept as its snapshot (bot/reports/overview.py); the Home reads it.
                clock.advance(REFRESH_AFTER + timedelta(seconds=1))
                refresh_overviews(services)
                count = lambda: _count(services, clock)  # noqa: E731
                figures["admin overview counted (the heartbeat's recount), median"] = (
                    _median_ms(count, max(1, repeats // 2)),
                    "ms",
                )
                admin = lambda: publish_home(services, client, TEAM, ADMIN)  # noqa: E731
                figures["admin Home to views.publish, median"] = (_median_ms(admin, repeats), "ms")
                figures["admin Home SQL statements"] = (_statements(engine, admin), "statements")
                # The person's own pairs' reads (their items, held meetings, notes) must not
                # grow with the workspace either.
                person = lambda: publish_home(services, client, TEAM, PERSON30)  # noqa: E731
                figures["person in 30 pairs: Home to views.publish, median"] = (
                    _median_ms(person, repeats),
                    "ms",
                )
            if "report" in only:
                reply = lambda: report_reply(services, client, TEAM, ADMIN)  # noqa: E731
                figures["/mentorship report reply, median"] = (_median_ms(reply, repeats), "ms")
                figures["/mentorship report reply, traced peak"] = (_peak_mib(reply), "MiB")

                def export(path: Path = work / f"export-{db}.csv") -> None:
                    with contextlib.redirect_stdout(io.StringIO()):
                        export_csv(cfg, services.clock, path)

                figures["export --csv, time"] = (_median_ms(export, 1), "ms")
                figures["export --csv, traced peak"] = (_peak_mib(export), "MiB")
                upload = lambda: send_report_csv(services, client, TEAM, ADMIN)  # noqa: E731
                figures["/mentorship report csv, time"] = (_median_ms(upload, 1), "ms")
                figures["/mentorship report csv, traced peak"] = (_peak_mib(upload), "MiB")
            for measure, (value, unit) in figures.items():
                first.setdefault(measure, value)
                if n == 1:
                    second[measure] = value
                memory = unit == "MiB"
                ref = (second if memory else first).get(measure) if n > 0 else None
                if memory and n == 1:
                    ref = None
                # Times that must not follow the pairs (a CSV's time does: one row per pair).
                flat = ("Home" in measure or "reply" in measure) and "recount" not in measure
                target = ("≈ 1× ref" if memory else FLAT if flat else "") if ref is not None else ""
                report.add(
                    Result(
                        "home" if "Home" in measure or "overview" in measure else "report",
                        f"{measure} ({size:,} pairs)",
                        db,
                        value,
                        unit,
                        ref,
                        target if unit != "statements" else "",
                    )
                )
            if n == 0 and "home" in only:
                _person(report, db, services, engine, repeats)
    finally:
        runtime.engine.dispose()


def _count(services: Any, clock: ManualClock) -> None:
    with services.sessions() as session:
        program_totals(session, TEAM, clock.now())


def _person(report: Report, db: str, services: Any, engine: Engine, repeats: int) -> None:
    """The Home of the person in 30 pairs against one pair, and against a bare views.publish."""
    client = services.client
    busy = lambda: publish_home(services, client, TEAM, PERSON30)  # noqa: E731
    single = lambda: publish_home(services, client, TEAM, PERSON1)  # noqa: E731
    view = build_home(home_data(services, client, TEAM, PERSON30), None)
    bare = lambda: client.views_publish(user_id=PERSON30, view=view)  # noqa: E731
    busy_ms = _median_ms(busy, repeats)
    rows = [
        ("person in 30 pairs: Home to views.publish, median (ref: 1 pair)", busy_ms,
         _median_ms(single, repeats), "ms"),
        ("person in 30 pairs: Home to views.publish, median (ref: bare views.publish)", busy_ms,
         _median_ms(bare, repeats), "ms"),
        ("person in 30 pairs: SQL statements (ref: 1 pair)", _statements(engine, busy),
         _statements(engine, single), "statements"),
    ]  # fmt: skip
    for measure, value, ref, unit in rows:
        report.add(Result("home", measure, db, value, unit, ref))
