"""Enrolling in a program, and the plan a published match starts from (pure rules).

The enrolment form's validation; which side someone enrolled as "either" takes in a run; and the
plan of a matched pair from the program's defaults: a meeting time inside both people's working
day, the first meeting no earlier than tomorrow, the mentee's goals from their enrolment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.plan import MAX_GOALS, MAX_TEXT, PersonFacts, PlanForm, add_months, goal_lines

ROLES = {
    "mentee": "Mentee — I want to grow",
    "mentor": "Mentor — I can help someone grow",
    "either": "Either — whichever the program needs",
}
MIN_CAPACITY, MAX_CAPACITY = 1, 5
MAX_AVOID = 20
WORK_START, WORK_END = 9 * 60, 17 * 60  # everyone's working day, in minutes of local time
MEETING_MINUTES = 60
PREFERRED = 15 * 60  # 15:00 in the mentor's zone, the plan form's default
DEFAULT_FORMAT, DEFAULT_CHANNELS = "online", ("chat", "calls")


@dataclass(frozen=True)
class EnrolmentForm:
    """Raw answers from the enrolment form."""

    role: str | None = None
    skills: tuple[str, ...] = ()
    goals: str | None = None
    capacity: str | None = None
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnrolmentDraft:
    """A valid enrolment."""

    role: str
    skills: tuple[str, ...]
    goals: tuple[str, ...]
    capacity: int
    avoid: tuple[str, ...]


def validate_enrolment(
    form: EnrolmentForm,
    *,
    user_id: str,
    program_skills: Sequence[str],
    allow_either: bool,
    people: Mapping[str, PersonFacts],
) -> tuple[EnrolmentDraft | None, dict[str, str]]:
    """Check a submitted enrolment; (draft, {}) or (None, {field: message})."""
    errors: dict[str, str] = {}
    role = form.role
    if role not in ROLES or (role == "either" and not allow_either):
        errors["role"] = "Pick mentor or mentee." + (" Or either." if allow_either else "")
    listed = {s.casefold(): s for s in program_skills}
    skills = tuple(
        dict.fromkeys(listed[s.casefold()] for s in form.skills if s.casefold() in listed)
    )
    if not skills:
        errors["skills"] = "Pick at least one skill or topic from the program's list."
    text = (form.goals or "").strip()
    goals = goal_lines(text)
    if len(text) > MAX_TEXT:
        errors["goals"] = f"Please keep this under {MAX_TEXT:,} characters (it has {len(text):,})."
    elif len(goals) > MAX_GOALS:
        errors["goals"] = f"Up to {MAX_GOALS} lines — pick the ones that matter most."
    elif not goals and role in ("mentee", "either"):
        errors["goals"] = "Write at least one goal, one per line: they become your plan's goals."
    capacity = 1
    if role in ("mentor", "either"):
        raw = (form.capacity or "").strip()
        try:
            capacity = int(raw)
        except ValueError:
            capacity = 0
        if not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
            errors["capacity"] = (
                f"How many mentees can you take on? {MIN_CAPACITY} to {MAX_CAPACITY}."
            )
    avoid = tuple(dict.fromkeys(form.avoid))
    if user_id in avoid:
        errors["avoid"] = "You're always left out of your own matches — pick other people."
    elif len(avoid) > MAX_AVOID:
        errors["avoid"] = f"Up to {MAX_AVOID} people, please."
    if errors:
        return None, errors
    assert role is not None
    # Bots and accounts Slack doesn't know could never be matched anyway: not worth keeping.
    kept = tuple(u for u in avoid if _matchable(people.get(u)))
    return EnrolmentDraft(role, skills, goals, capacity, kept), {}


def _matchable(facts: PersonFacts | None) -> bool:
    return facts is not None and facts.exists and not facts.is_bot


@dataclass(frozen=True)
class Side:
    """Someone enrolled, as placing them needs: their role and how many mentees they'd take."""

    user_id: str
    role: str
    capacity: int = 1


def place_sides(people: Iterable[Side]) -> tuple[list[str], list[str]]:
    """(mentor ids, mentee ids) for a run. Mentors and mentees stay on their side; each "either",
    in the order given, mentors while the mentor places fall short of the mentees, else mentees."""
    mentors: list[str] = []
    mentees: list[str] = []
    places = 0
    either: list[Side] = []
    for person in people:
        if person.role == "mentor":
            mentors.append(person.user_id)
            places += person.capacity
        elif person.role == "mentee":
            mentees.append(person.user_id)
        else:
            either.append(person)
    for person in either:
        if places < len(mentees):
            mentors.append(person.user_id)
            places += person.capacity
        else:
            mentees.append(person.user_id)
    return mentors, mentees


def _local_minutes(start: datetime, tz: str) -> int:
    local = start.astimezone(ZoneInfo(tz))
    return local.hour * 60 + local.minute


def meeting_time_for(mentor_tz: str, mentee_tz: str, day: date) -> time:
    """A meeting start in the mentor's zone on `day`, on the quarter hour, such that the hour
    falls inside both people's working day (09:00–17:00 local); the one nearest 15:00 (the
    earlier on a tie), or 15:00 when their days share no hour."""
    zone = ZoneInfo(mentor_tz)
    fits: list[int] = []
    for minutes in range(WORK_START, WORK_END - MEETING_MINUTES + 1, 15):
        start = datetime.combine(day, time(minutes // 60, minutes % 60), zone)
        theirs = _local_minutes(start, mentee_tz)
        if WORK_START <= theirs <= WORK_END - MEETING_MINUTES:
            fits.append(minutes)
    best = min(fits, key=lambda m: (abs(m - PREFERRED), m), default=PREFERRED)
    return time(best // 60, best % 60)


def first_meeting_day(starts_on: date, today: date) -> date:
    """The program's first meeting day, or tomorrow once that day is here: the summary goes out
    before the first meeting."""
    return max(starts_on, today + timedelta(days=1))


@dataclass(frozen=True)
class ProgramDefaults:
    """What a program gives each pair it makes."""

    name: str
    cadence: str
    monthly_mode: str
    starts_on: date
    duration_months: int | None
    end_date: date | None
    checkpoint_weeks: int
    announce_channel: str | None


def vision_for(program: str, skills: Sequence[str]) -> str:
    """A starting vision the pair can rewrite at their kickoff."""
    listed = ", ".join(skills[:5]) + (" and more" if len(skills) > 5 else "")
    return f"{program}: grow in {listed}"[:MAX_TEXT]


def pair_plan(
    program: ProgramDefaults,
    *,
    mentor: PersonFacts,
    mentee: PersonFacts,
    mentee_goals: Sequence[str],
    mentee_skills: Sequence[str],
    today: date,
) -> PlanForm:
    """The plan form a published match is checked as (with `validate_plan`), like a hand-made
    one: the program's rhythm and milestones, the mentor's zone, a time that suits both."""
    tz = mentor.tz or mentee.tz or "UTC"
    first = first_meeting_day(program.starts_on, today)
    end = program.end_date
    if end is None and program.duration_months:
        end = add_months(first, program.duration_months)
    cadence = program.cadence
    if cadence == "monthly" and program.monthly_mode == "day_of_month":
        cadence = "monthly_day"
    return PlanForm(
        mentor_id=mentor.user_id,
        mentee_id=mentee.user_id,
        mentee_goals="\n".join(mentee_goals),
        mentor_goals=None,
        vision=vision_for(program.name, mentee_skills),
        cadence=cadence,
        first_date=first,
        meeting_time=meeting_time_for(tz, mentee.tz or tz, first),
        tz=tz,
        format=DEFAULT_FORMAT,
        channels=DEFAULT_CHANNELS,
        duration_months=None,
        end_date=end,
        checkpoint_weeks=program.checkpoint_weeks,
        announce_channel=program.announce_channel,
        announce=program.announce_channel is not None,
    )
