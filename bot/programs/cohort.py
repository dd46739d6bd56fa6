"""A program's cohort as matching sees it: who is on which side, their skills, goals and Slack time
zones, the rules between them, and the run's settings. Read from the database in one session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.enrolment import Side, place_sides
from bot.domain.matching import (
    DEFAULT_WEIGHTS,
    Cohort,
    Constraints,
    Mentee,
    Mentor,
    Priority,
    Settings,
    Weight,
    Weights,
)
from bot.domain.plan import goal_lines
from bot.domain.timefmt import is_valid_timezone
from storage.people import get_people
from storage.program_models import Enrolment, Program
from storage.programs import enrolled, open_program_pairs, pairs_ever, program_exclusions

IdPair = tuple[str, str]  # (mentor id, mentee id)
PRIORITIES = {
    Priority.BEST_MATCHES.value: "Best matches",
    Priority.MOST_MATCHED.value: "Most people matched",
}
WEIGHT_NAMES = {"skills": "Skills", "goals": "Goals", "hours": "Working hours"}


@dataclass(frozen=True)
class Loaded:
    """One run's input: the cohort, its settings, and what the review shows about people."""

    cohort: Cohort
    settings: Settings
    names: Mapping[str, str]
    capacity: Mapping[str, int]  # mentor id -> capacity (their enrolment's)
    first_come: tuple[str, ...]  # mentee ids in the order they enrolled


def settings_of(program: Program, today: date) -> Settings:
    """The program's matching settings (the lead's weights and priority), seeded by the program
    so that a re-run of the same cohort gives the same proposal."""
    stored: Mapping[str, Any] = program.match_settings or {}
    weights = stored.get("weights") or {}
    chosen = {k: Weight[str(v).upper()] for k, v in weights.items() if k in DEFAULT_WEIGHTS}
    return Settings(
        reference_date=max(program.starts_on, today),
        skills=tuple(program.skills),
        weights=Weights(**chosen),
        priority=Priority(stored.get("priority", Priority.BEST_MATCHES.value)),
        seed=program.id,
        min_overlap_hours=float(stored.get("min_overlap_hours", 1.0)),
    )


def _zone(tz: str | None) -> str:
    return tz if tz and is_valid_timezone(tz) else "UTC"


def load_cohort(
    session: Session,
    program: Program,
    now: datetime,
    *,
    pinned: Iterable[IdPair] = (),
    approved: Iterable[IdPair] = (),
    ruled_out: Iterable[IdPair] = (),
) -> Loaded:
    """Everyone enrolled and still to match: mentees with a running pair in the program are
    left out; mentors count their running pairs against their capacity; deactivated accounts
    and bots are left out."""
    team = program.team_id
    rows = enrolled(session, team, program.id)
    running = open_program_pairs(session, team, program.id)
    matched = {p.mentee_id for p in running}
    mentoring = Counter(p.mentor_id for p in running)
    people = {p.user_id: p for p in get_people(session, team, [r.user_id for r in rows])}
    usable: list[Enrolment] = [
        r
        for r in rows
        if r.user_id not in matched
        and not (people.get(r.user_id) and (people[r.user_id].deleted or people[r.user_id].is_bot))
    ]
    sides = [
        Side(r.user_id, "mentor" if mentoring[r.user_id] else r.role, r.capacity) for r in usable
    ]
    mentor_ids, mentee_ids = place_sides(sides)
    by_id = {r.user_id: r for r in usable}
    names = {u: (people[u].name if u in people and people[u].name else u) for u in by_id}
    tz = {u: _zone(people[u].tz if u in people else None) for u in by_id}
    mentors = tuple(
        Mentor(
            id=u,
            name=names[u],
            skills=tuple(by_id[u].skills),
            help_text=goal_lines(by_id[u].goals),
            capacity=by_id[u].capacity,
            tz=tz[u],
            open_pairs=mentoring[u],
        )
        for u in mentor_ids
    )
    mentees = tuple(
        Mentee(
            id=u,
            name=names[u],
            skills=tuple(by_id[u].skills),
            goals=goal_lines(by_id[u].goals),
            tz=tz[u],
        )
        for u in mentee_ids
    )
    everyone = [*mentor_ids, *mentee_ids]
    rules = Constraints(
        exclusions=tuple(program_exclusions(session, team, program.id)),
        previous_pairs=tuple(pairs_ever(session, team, everyone)),
        ruled_out=tuple(ruled_out),
        pinned=tuple(pinned),
        approved=tuple(approved),
    )
    today = now.astimezone(ZoneInfo(program.tz)).date()
    return Loaded(
        cohort=Cohort(mentors, mentees, rules),
        settings=settings_of(program, today),
        names=names,
        capacity={u: by_id[u].capacity for u in mentor_ids},
        first_come=tuple(mentee_ids),
    )
