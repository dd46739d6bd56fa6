"""Datasets for the report and Home benchmarks (`bench/scale.py`): the bulk-seeded pairs of
`bench/seed.py` (without their deliveries: neither the report nor the Home reads them), then
made varied with a few set-based statements so that every number of the report moves:

- status by pair id: 1 in 10 paused, 1 in 10 completed, 1 in 10 ended, the rest active;
- 1 in 7 pairs had their held meeting skipped (none held: at risk when active);
- 1 in 11 pairs left both kickoff prompts unanswered (expired: at risk when active), and
  1 in 13 have them still open;
- 1 in 3 pairs wrote a shared note on their held meeting, 1 in 6 a private one too;
- 1 in 4 pairs have action items, one on each meeting (done, open or dropped);
- pairs with id ≡ 0 (mod 5) belong to the program "Spring cohort", ≡ 1 to "Autumn cohort";
- pairs 1–30 share one mentor (`PERSON30`): the person in 30 pairs; pair 31's mentor is in one.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, insert, text, update

from bench.common import T0, TEAM
from bench.seed import mentee_id, mentor_id, seed_pairs, seed_people
from bot.domain.plan import people_key
from storage.models import Pair
from storage.program_models import Program

ADMIN = "U0ADMIN0001"  # a program admin (named in the config) with no pair of their own
PERSON30 = "UA0PERSON30"
PERSON1 = mentor_id(31)
PROGRAMS = ("Spring cohort", "Autumn cohort")
BUSY_PAIRS = 30
NOW = T0 + timedelta(days=1)  # the benchmark's instant: the people cache is fresh at it


def _programs(engine: Engine) -> None:
    common = {
        "team_id": TEAM, "description": "", "status": "open", "tz": "Europe/Berlin",
        "cadence": "weekly", "monthly_mode": "weekday_position", "starts_on": date(2027, 1, 4),
        "duration_months": 6, "end_date": None, "enrol_closes_on": None, "checkpoint_weeks": 4,
        "skills": [], "questions": [], "announce_channel": None, "allow_either": False,
        "match_settings": {}, "version": 1, "created_by": ADMIN, "created_at": T0,
        "updated_at": T0,
    }  # fmt: skip
    with engine.begin() as conn:
        for k, name in enumerate(PROGRAMS, start=1):
            values = {**common, "id": k, "name": name, "name_key": name.casefold()}
            conn.execute(insert(Program).values(**values))


VARY = (
    "UPDATE pairs SET status = 'paused' WHERE id BETWEEN :a AND :b AND id % 10 = 1",
    "UPDATE pairs SET status = 'completed' WHERE id BETWEEN :a AND :b AND id % 10 = 2",
    "UPDATE pairs SET status = 'ended' WHERE id BETWEEN :a AND :b AND id % 10 = 3",
    "UPDATE pairs SET program_id = 1 WHERE id BETWEEN :a AND :b AND id % 5 = 0",
    "UPDATE pairs SET program_id = 2 WHERE id BETWEEN :a AND :b AND id % 5 = 1",
    "UPDATE meetings SET status = 'skipped', answered_by = NULL, answered_at = NULL "
    "WHERE pair_id BETWEEN :a AND :b AND pair_id % 7 = 0 AND status = 'held'",
    "UPDATE reflection_prompts SET status = 'expired', position = 0, completed_at = NULL "
    "WHERE pair_id BETWEEN :a AND :b AND pair_id % 11 = 0",
    "UPDATE reflection_prompts SET status = 'open', position = 1, completed_at = NULL "
    "WHERE pair_id BETWEEN :a AND :b AND pair_id % 13 = 0 AND pair_id % 11 <> 0",
    "INSERT INTO session_notes (team_id, pair_id, meeting_id, author_id, visibility, text, "
    "created_at) SELECT team_id, pair_id, id, 'UNOTE', 'shared', 'A note', :t FROM meetings "
    "WHERE pair_id BETWEEN :a AND :b AND pair_id % 3 = 0 AND status = 'held'",
    "INSERT INTO session_notes (team_id, pair_id, meeting_id, author_id, visibility, text, "
    "created_at) SELECT team_id, pair_id, id, 'UNOTE', 'private', 'A note', :t FROM meetings "
    "WHERE pair_id BETWEEN :a AND :b AND pair_id % 6 = 0 AND status = 'held'",
    "INSERT INTO action_items (team_id, pair_id, meeting_id, created_by, slot, owner_role, "
    "text, status, carried_count, created_at, updated_at) SELECT team_id, pair_id, id, "
    "'UITEM', 1, 'mentee', 'An item', CASE id % 3 WHEN 0 THEN 'done' WHEN 1 THEN 'open' "
    "ELSE 'dropped' END, 0, :t, :t FROM meetings WHERE pair_id BETWEEN :a AND :b "
    "AND pair_id % 4 = 0",
)


def _vary(engine: Engine, first: int, last: int) -> None:
    stamp = T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0
    with engine.begin() as conn:
        for statement in VARY:
            conn.execute(text(statement), {"a": first, "b": last, "t": stamp})


def _busy_person(engine: Engine) -> None:
    """Pairs 1-30 get one mentor: the person in 30 pairs."""
    with engine.begin() as conn:
        for i in range(1, BUSY_PAIRS + 1):
            conn.execute(
                update(Pair)
                .where(Pair.id == i)
                .values(mentor_id=PERSON30, people_key=people_key(PERSON30, mentee_id(i)))
            )
    seed_people(engine, [PERSON30, ADMIN], NOW)


def grow(engine: Engine, stored: int, size: int) -> dict[str, int]:
    """Bring a dataset of `stored` pairs to `size` (the first call makes the programs, the
    admin and the person in 30 pairs)."""
    counts = seed_pairs(
        engine, stored + 1, size - stored, due_nudges=False, refreshed_at=NOW, deliveries=False
    )
    if stored == 0:
        _programs(engine)
        _busy_person(engine)
    _vary(engine, stored + 1, size)
    return counts
