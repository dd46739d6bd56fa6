"""The lead's Home card counts a published program's running pairs by SQL (`enrolled_running`):
the same counts as going over every pair of the program."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import ManualClock
from bot.programs.publish import publish
from bot.programs.runs import compute_run
from storage.programs import enrolled, enrolled_running, open_program_pairs
from tests.kit.cohorts import seed_cohort, services_for
from tests.kit.workspace import TEAM

LEAD = "U0LEAD0000"


def test_enrolled_running_counts_what_the_pairs_say(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as s:
        pid = seed_cohort(s, clock.now(), mentees=30, mentors=12)
    run_id = compute_run(services, TEAM, LEAD, pid, base=None)
    assert run_id is not None
    publish(services, services.client, TEAM, LEAD, run_id)
    with sessions() as s:
        ids = {e.user_id for e in enrolled(s, TEAM, pid)}
        running = open_program_pairs(s, TEAM, pid)
        mentoring, matched = enrolled_running(s, TEAM, pid)
    assert mentoring == Counter(p.mentor_id for p in running if p.mentor_id in ids)
    assert matched == {p.mentee_id for p in running if p.mentee_id in ids}
    assert mentoring and matched and max(mentoring.values()) > 1
