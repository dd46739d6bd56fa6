"""A program end to end in the database: enrol a cohort, make a run, draw the review, publish.

    python -m bench.programs [--mentees N --mentors N] [--database URL]

Runs the feature functions the Slack listeners call (no HTTP, no Slack: everyone is in the people
cache, so nothing is looked up), on a fresh SQLite file unless `--database` names an empty
PostgreSQL database. Times are wall clock around one call:
- enrol: storing every enrolment, one transaction each (as the form does);
- run: `compute_run` — read the cohort, score, solve, explain, store the run and its proposals;
- review: every page of the review drawn from the database and serialised (`review_of` +
  `review_view(...).to_dict()`), with the largest page's block count;
- publish: `publish` — the one transaction that makes every pair and queues every DM;
- plan: `plan_published` — the new pairs' first weeks of meetings, nudges and milestones.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from slack_sdk import WebClient

from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.core.services import Services
from bot.domain.enrolment import EnrolmentDraft
from bot.domain.program import ProgramDraft
from bot.programs.publish import plan_published, publish
from bot.programs.review import review_of
from bot.programs.review_view import pages, review_view
from bot.programs.runs import compute_run
from storage.db import make_engine, make_sessions
from storage.models import Base
from storage.people import save_person
from storage.program_models import MatchRun, Program
from storage.programs import create_program, save_enrolment

TEAM, LEAD = "T0BENCH001", "U0LEAD0000"
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
SKILLS = tuple(f"Skill {i:02d}" for i in range(40))
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "Asia/Tokyo")


def _services(url: str) -> Services:
    env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench"}
    config = parse_config({"database": {"url": url}}, env)
    client = WebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/api/")
    sessions = make_sessions(make_engine(url))
    return Services(config=config, clock=ManualClock(NOW), sessions=sessions, client=client)


def _enrol(
    services: Services, mentees: int, mentors: int, team: str = TEAM, lead: str = LEAD
) -> int:
    """A program of `lead`'s in `team`, open for enrolment, with a synthetic cohort enrolled
    (everyone in the people cache); its id."""
    rnd = random.Random(1)
    draft = ProgramDraft(
        "Bench program", "", "biweekly", "weekday_position", date(2027, 3, 15), 6, None, None, 4,
        SKILLS, (), None, False, (),
    )  # fmt: skip
    with services.sessions.begin() as session:
        program_id = create_program(session, team, lead, "Europe/Berlin", draft, NOW).id
    people = [(f"U0M{i:07d}", "mentor") for i in range(mentors)]
    people += [(f"U0E{i:07d}", "mentee") for i in range(mentees)]
    for user_id, role in people:
        with services.sessions.begin() as session:
            program = session.get(Program, program_id)
            assert program is not None
            save_person(
                session, team_id=team, user_id=user_id, name=f"{role} {user_id[-4:]}",
                tz=rnd.choice(ZONES), deleted=False, is_bot=False, is_admin=False, now=NOW,
            )  # fmt: skip
            skills = tuple(rnd.sample(SKILLS, rnd.randint(1, 4)))
            goals = (f"Grow in {skills[0]}",) if role == "mentee" else ()
            draft_e = EnrolmentDraft(role, skills, goals, rnd.randint(1, 3), ())
            save_enrolment(session, program, user_id, draft_e, NOW)
    return program_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=200)
    parser.add_argument("--mentors", type=int, default=80)
    parser.add_argument("--database", help="an empty database URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        services = _services(url)
        Base.metadata.create_all(services.sessions.kw["bind"])
        timings: dict[str, float] = {}

        def timed(name: str, fn):
            start = time.perf_counter()
            result = fn()
            timings[name] = time.perf_counter() - start
            return result

        program_id = timed("enrol", lambda: _enrol(services, args.mentees, args.mentors))
        run_id = timed("run", lambda: compute_run(services, TEAM, LEAD, program_id, base=None))
        with services.sessions() as session:
            run, program = session.get(MatchRun, run_id), session.get(Program, program_id)
        assert run is not None and program is not None

        def draw() -> int:
            review = review_of(services, run, program)
            return max(
                len(review_view(review, p).to_dict()["blocks"]) for p in range(pages(review))
            )

        most_blocks = timed("review", draw)
        outcome = timed("publish", lambda: publish(services, services.client, TEAM, LEAD, run_id))
        timed("plan", lambda: plan_published(services, outcome))
        services.sessions.kw["bind"].dispose()
    print(
        f"{args.mentees} mentees × {args.mentors} mentors on {url.split(':')[0]}: "
        f"{len(outcome.pairs)} pairs, {outcome.told} told unmatched, "
        f"largest review page {most_blocks} blocks"
    )
    for name, seconds in timings.items():
        print(f"  {name:8} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
