"""The worker's cost per nudge, in one process, for profiling one change at a time.

    python -m bench.worker_profile [--db sqlite|postgres] [--pairs 1000] [--senders N]
                                   [--profile FILE]

Seeds `pairs` pairs whose 2 × `pairs` nudges are due (bench/seed.py), starts the stand-in in its
own process, posts up to 1,000 nudge-shaped messages from this process with the same client and no
database (the reference, as bench/raw_poster.py), then runs the real `Dispatcher` ticks here
until nothing is due: CPU per nudge (this process's) and nudges per second, each beside the
reference's. `--senders` runs that many side by side, as `[scheduler] senders` does (default:
the database's, bot/delivery/senders.py). With `--profile`, the ticks run under cProfile (which slows them: compare shares,
not times) and the file can be read with `pstats`. Not a substitute for `bench.run`, whose
worker is the real `mentorship-bot worker` process; quicker to repeat while changing code.
PostgreSQL needs MENTORSHIP_TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    PG_ENV,
    SECRET,
    TOKEN,
    Backend,
    db_upgrade,
    exit_on_sigterm,
    write_config,
)
from bench.load import StandIn
from bench.seed import analyze, mentee_id, mentor_id, seed_pairs
from bot.app import build_runtime
from bot.core.config import load_config
from bot.core.slack import make_client
from bot.delivery.senders import Senders
from bot.meetings.messages import MeetingFacts, nudge
from storage.db import make_engine

REFERENCE = 1000


def _reference(api_url: str, count: int) -> tuple[float, float]:
    """CPU ms per post and posts per second of a bare loop of `count` chat.postMessage calls
    (to the seeded pairs' people)."""
    client = make_client(TOKEN, api_url, retries=False)
    facts = MeetingFacts(
        meeting_id=1,
        at=datetime(2027, 3, 2, 10, 0, tzinfo=UTC),
        reader_tz="Europe/Berlin",
        partner_name="Person UA00000001",
        partner_tz="Europe/Berlin",
        format="online",
        channels=["chat", "calls"],
        focus="Lead a design review",
    )
    text, blocks = nudge(facts)
    cpu, start = time.process_time(), time.monotonic()
    for i in range(count):
        client.chat_postMessage(
            channel=f"U{'AB'[i % 2]}{i // 2 + 1:08d}",
            text=text,
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": "bench_raw", "event_payload": {"n": i}},
        )
    seconds = time.monotonic() - start
    return (time.process_time() - cpu) * 1000 / count, count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--senders", type=int)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="worker-profile-"))
    backend = Backend(args.db, work, os.environ.get(PG_ENV) if args.db == "postgres" else None)
    standin = StandIn(work)
    try:
        url = backend.create("profile")
        config = write_config(work / "c.toml", api_url=standin.api_url, db_url=url, level="warning")
        db_upgrade(config)
        engine = make_engine(url)
        seed_pairs(engine, 1, args.pairs, due_nudges=True)
        analyze(engine)
        engine.dispose()
        people = [u for i in range(1, args.pairs + 1) for u in (mentor_id(i), mentee_id(i))]
        standin.add_users(people)
        os.environ.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET)
        runtime = build_runtime(load_config(config))
        dispatcher = Senders(runtime.services, args.senders)
        dispatcher.tick(max_batches=1)  # warm: imports, connections, statement caches
        ref_cpu, ref_rate = _reference(standin.api_url, min(REFERENCE, 2 * args.pairs))
        standin.call("forget")
        profile = cProfile.Profile() if args.profile else None
        cpu, start, sent = time.process_time(), time.monotonic(), 0
        if profile is not None:
            profile.enable()
        while True:
            stats = dispatcher.tick(max_batches=10)
            sent += stats.sent
            if not stats.more_due:
                break
        if profile is not None:
            profile.disable()
        per_nudge = (time.process_time() - cpu) * 1000 / max(1, sent)
        rate = sent / (time.monotonic() - start)
        print(
            f"{args.db}, {len(dispatcher.dispatchers)} sender(s): {sent} nudges; CPU per nudge {per_nudge:.2f} ms (ref {ref_cpu:.2f}, "
            f"×{per_nudge / ref_cpu:.2f}); {rate:.0f} nudges/s (ref {ref_rate:.0f}, "
            f"×{rate / ref_rate:.2f}); load {os.getloadavg()[0]:.1f}"
        )
        if profile is not None:
            profile.dump_stats(args.profile)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        runtime.engine.dispose()
    finally:
        standin.stop()
        backend.drop_all()


if __name__ == "__main__":
    exit_on_sigterm()
    main()
