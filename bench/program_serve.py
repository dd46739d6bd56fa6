"""Programs through the real `serve` (issue 18): the enrolment form's submission, and
`/mentorship program match` on a cohort of 1,000 mentees × 400 mentors, beside the bare Bolt app
(`bench/bare_app.py`) on the same stand-in.

    python -m bench.program_serve [--mentees N --mentors N] [--enrolments N] [--matches N]
                                  [--postgres URL] [--quick]

A program open for enrolment is stored with its cohort (`bench/programs.py`: everyone in the
people cache), then `serve` starts on that database. Each process in its own process, as in
`bench.run`: the stand-in, the app, the load generator.

- **Enrolment**: `--enrolments` people never seen before run `/mentorship join` (untimed), then
  submit the form one after another (timed: the HTTP answer; the app's CPU per submission, what
  follows the answer included, until their confirmation DMs have gone). Like the plan
  submission, the bot looks the person up (`users.info`) and stores the enrolment before it
  answers. The reference acks a modal submission.
- **Match**: the lead runs `/mentorship program match`, `--matches` times, each after one more
  person enrolled (so each computes a new proposal for the whole cohort): the time to the HTTP
  answer, to `views.open` (Slack's trigger lives 3 seconds) and to the `views.update` that
  carries the proposal. The reference answers `/mentorship` by opening a modal.

Times are wall clock from the request being sent, on CLOCK_MONOTONIC, which the load generator
and the stand-in share.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import latency as lat
from bench.common import (
    TEAM,
    Backend,
    db_upgrade,
    exit_on_sigterm,
    wait_until,
    write_config,
)
from bench.load import Prepared, StandIn, send_all
from bench.programs import _enrol, _services
from storage.db import make_engine, make_sessions
from storage.models import Delivery, DeliveryKind

LEAD = "U0PLEAD001"
SKILL = "Skill 00"
ENROL: dict[str, Any] = {"role": "mentee", "skills": [SKILL], "goals": "Grow in Skill 00"}


def _ms(seconds: float) -> float:
    return seconds * 1000


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _enrolments(
    standin: StandIn, app: lat.App, users: list[str], bot: bool
) -> tuple[list[float], float]:
    """`/mentorship join` (or the reference's command) for each, untimed, then each submits the
    form, one at a time: the times to the answers, and the app's CPU seconds for them."""
    opened = standin.prepared("commands", {"users": users, "text": "join" if bot else "start"})
    lat.timed(standin, app, opened, 4, "views.open")

    def values(user: str) -> dict[str, Any]:  # the reference's modal is the plan form
        return ENROL if bot else {**lat.PLAN, "Mentor": user, "Mentee": user}

    items = standin.prepared(
        "submissions", {"items": [{"user": u, "values": values(u)} for u in users]}
    )
    cpu0 = app.proc.cpu()
    samples, _ = send_all(app.port, items, 1)
    bad = [s for s in samples if not lat._ok(s)]
    if bad:
        raise SystemExit(f"{app.name}: {len(bad)} enrolments refused: {bad[0].body[:300]!r}")
    return [s.seconds for s in samples], cpu0


def _match(standin: StandIn, app: lat.App, lead: str, bot: bool) -> dict[str, float]:
    """One `/mentorship program match` (or the reference's command): seconds to the answer,
    to views.open and, for the bot, to the views.update that carries the proposal."""
    item: Prepared = standin.prepared(
        "commands", {"users": [lead], "text": "program match" if bot else "start"}
    )[0]
    samples, _ = send_all(app.port, [item], 1, "views.open", standin.control_url)
    sample = samples[0]
    if sample.status != 200 or sample.followed is None:
        raise SystemExit(f"{app.name}: program match failed: {sample.status} {sample.body[:300]!r}")
    out = {"answer": sample.seconds, "views.open": sample.followed - sample.start}
    if bot:
        views = standin.call("views", {"user": lead})
        view_id = views[-1]["id"]
        found = standin.call("wait", {"method": "views.update", "key": view_id, "timeout": 300})
        if found.get("at") is None:
            raise SystemExit("the proposal never came (no views.update within 300 s)")
        shown = standin.call("views", {"user": lead, "contains": "Publish matches"})
        if not any(v["id"] == view_id and v["has"] for v in shown):
            raise SystemExit("the review was updated without a proposal to publish")
        out["proposal"] = float(found["at"]) - sample.start
    return out


def run(db: str, db_url: str, mentees: int, mentors: int, n: int, matches: int) -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="program-serve-"))
    logs = work / "logs"
    logs.mkdir()
    lines: list[str] = []
    standin = StandIn(logs)
    try:
        config = write_config(work / "seed.toml", api_url=standin.api_url, db_url=db_url)
        db_upgrade(config)
        services = _services(db_url)
        began = time.monotonic()
        _enrol(services, mentees, mentors, team=TEAM, lead=LEAD)
        services.sessions.kw["bind"].dispose()
        print(f"[{db}] {mentees} × {mentors} enrolled in {time.monotonic() - began:.0f} s")
        joiners = [lat.uid("J", i) for i in range(n + matches)]
        refs = [lat.uid("X", i) for i in range(n + matches)]
        standin.add_users([LEAD, *joiners, *refs])
        bot = lat.start_bot(standin, db_url, work, logs)
        ref = lat.start_ref(standin, logs)
        try:
            b_times, cpu0 = _enrolments(standin, bot, joiners[:n], bot=True)
            engine = make_engine(db_url)
            wait_until(
                lambda: _queued_sent(engine), 120, "the enrolment confirmations to go out", 0.2
            )
            engine.dispose()
            b_cpu = (bot.proc.cpu() - cpu0) / n
            r_times, r_cpu0 = _enrolments(standin, ref, refs[:n], bot=False)
            r_cpu = (ref.proc.cpu() - r_cpu0) / n
            lines += _rows(
                db,
                "enrolment submission",
                b_times,
                r_times,
                b_cpu,
                r_cpu,
                f"{n} people never seen, one at a time",
            )
            b_runs, r_runs = [], []
            for k in range(matches):
                _enrolments(standin, bot, [joiners[n + k]], bot=True)  # the proposal is stale
                b_runs.append(_match(standin, bot, LEAD, bot=True))
                r_runs.append(_match(standin, ref, refs[n + k], bot=False))
            for what in ("answer", "views.open"):
                b = [r[what] for r in b_runs]
                r = [x[what] for x in r_runs]
                lines.append(
                    f"| {db} | program match, {mentees:,} × {mentors:,}: to {what} (ms), "
                    f"median of {matches} | {_ms(statistics.median(b)):.1f} "
                    f"(max {_ms(max(b)):.1f}) | {_ms(statistics.median(r)):.1f} | "
                    f"{statistics.median(b) / statistics.median(r):.2f} |"
                    + (" < 3,000 ms |" if what == "views.open" else " |")
                )
            proposals = [r["proposal"] for r in b_runs]
            lines.append(
                f"| {db} | program match, {mentees:,} × {mentors:,}: to the proposal "
                f"(views.update, ms), median of {matches} | {_ms(statistics.median(proposals)):.0f}"
                f" (max {_ms(max(proposals)):.0f}) | | | follows |"
            )
        finally:
            bot.proc.stop()
            ref.proc.stop()
    finally:
        standin.stop()
    return lines


def _queued_sent(engine: Any) -> bool:
    """Every enrolment's confirmation DM has gone (none pending, claimed or sending)."""
    with make_sessions(engine)() as session:
        waiting = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.kind == DeliveryKind.ENROLMENT,
                Delivery.status.in_(("pending", "claimed", "sending")),
            )
        )
    return waiting == 0


def _rows(
    db: str,
    kind: str,
    bot: list[float],
    ref: list[float],
    bot_cpu: float,
    ref_cpu: float,
    note: str,
) -> list[str]:
    out = []
    for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        b, r = _ms(_q(bot, q)), _ms(_q(ref, q))
        out.append(
            f"| {db} | {kind} {name} to HTTP answer (ms), {note} | {b:.1f} | {r:.1f} | "
            f"{b / r:.2f} | |"
        )
    out.append(
        f"| {db} | {kind} CPU per request (ms) | {_ms(bot_cpu):.2f} | {_ms(ref_cpu):.2f} | "
        f"{bot_cpu / ref_cpu:.2f} | |"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.program_serve", description=__doc__)
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=400)
    parser.add_argument("--enrolments", type=int, default=200)
    parser.add_argument("--matches", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("MENTORSHIP_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--quick", action="store_true", help="100 × 40, 20 enrolments, 1 match")
    args = parser.parse_args(argv)
    if args.quick:
        args.mentees, args.mentors, args.enrolments, args.matches = 100, 40, 20, 1
    work = Path(tempfile.mkdtemp(prefix="program-serve-db-"))
    backends = [Backend("sqlite", work)]
    if args.postgres and not args.sqlite_only:
        backends.append(Backend("postgres", work, args.postgres))
    lines = ["| db | measure | bot | ref | ×ref | target |", "|---|---|---|---|---|---|"]
    try:
        for backend in backends:
            url = backend.create("programs")
            lines += run(
                backend.kind, url, args.mentees, args.mentors, args.enrolments, args.matches
            )
    finally:
        for backend in backends:
            backend.drop_all()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    raise SystemExit(main())
