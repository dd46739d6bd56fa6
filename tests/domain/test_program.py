"""Programs and enrolments as pure rules: the lead's form, the lists people type, the enrolment
form, which side "either" takes, and the plan a published match starts from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.enrolment import (
    EnrolmentForm,
    ProgramDefaults,
    Side,
    first_meeting_day,
    meeting_time_for,
    pair_plan,
    place_sides,
    validate_enrolment,
)
from bot.domain.plan import PersonFacts, validate_plan
from bot.domain.program import (
    MAX_SKILLS,
    ProgramForm,
    enrolment_open,
    name_key,
    question_lines,
    skill_list,
    validate_program,
)
from bot.domain.reflection import questions_for

TODAY = date(2027, 3, 1)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "America/Los_Angeles",
    "Pacific/Chatham",
    "UTC",
)
FORM = ProgramForm(
    name="2027 Engineering mentorship",
    description="Mentors across engineering",
    cadence="biweekly",
    starts_on=date(2027, 3, 15),
    duration_months=6,
    enrol_closes_on=date(2027, 3, 10),
    checkpoint_weeks=4,
    skills="Kubernetes / k8s\nGo (golang), Public speaking\n- SQL",
    questions="What did you try since the last checkpoint?\nWhat's in your way?",
)
PEOPLE = {
    "U1": PersonFacts("U1", "Ana"),
    "UBOT": PersonFacts("UBOT", "Robot", is_bot=True),
    "UGONE": PersonFacts("UGONE", "Gone", deleted=True),
}


def check(form: ProgramForm, **kw: object) -> dict[str, str]:
    draft, errors = validate_program(
        form,
        today=TODAY,
        name_taken=bool(kw.get("taken", False)),
        people=PEOPLE,
    )
    assert (draft is None) == bool(errors)
    return errors


def test_a_valid_program() -> None:
    draft, errors = validate_program(FORM, today=TODAY, name_taken=False, people=PEOPLE)
    assert errors == {} and draft is not None
    assert draft.skills == ("Kubernetes / k8s", "Go (golang)", "Public speaking", "SQL")
    assert draft.questions == ("What did you try since the last checkpoint?", "What's in your way?")
    assert (draft.cadence, draft.monthly_mode, draft.duration_months) == (
        "biweekly",
        "weekday_position",
        6,
    )
    monthly, _ = validate_program(
        form_with(cadence="monthly_day", end_date=date(2027, 9, 1)),
        today=TODAY,
        name_taken=False,
        people=PEOPLE,
    )
    assert monthly is not None
    assert (monthly.cadence, monthly.monthly_mode, monthly.duration_months) == (
        "monthly",
        "day_of_month",
        None,  # an end date wins over a length
    )


def form_with(**changes: Any) -> ProgramForm:
    return replace(FORM, **changes)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "   "}, "name", "name"),
        ({"name": "x" * 81}, "name", "under 80"),
        ({"skills": ""}, "skills", "List the skills"),
        ({"skills": "\n".join(f"skill {i}" for i in range(51))}, "skills", "Up to 50"),
        ({"skills": "k" * 76}, "skills", "under 75"),
        ({"enrol_closes_on": date(2027, 2, 28)}, "enrol_closes_on", "passed"),
        ({"enrol_closes_on": date(2027, 3, 16)}, "enrol_closes_on", "close by the day"),
        ({"starts_on": date(2027, 2, 27)}, "starts_on", "passed"),
        ({"starts_on": None}, "starts_on", "first meetings"),
        ({"duration_months": None}, "duration", "length or an end date"),
        ({"end_date": date(2027, 3, 15)}, "end_date", "after the first meetings"),
        ({"end_date": date(2031, 3, 15)}, "end_date", "three years"),
        ({"cadence": "daily"}, "cadence", "weekly"),
        ({"checkpoint_weeks": 0}, "checkpoint_weeks", "weeks"),
        ({"questions": "\n".join(f"Q{i}?" for i in range(6))}, "questions", "Up to 5"),
        ({"co_leads": ("UBOT",)}, "co_leads", "bot"),
        ({"co_leads": ("UGONE",)}, "co_leads", "deactivated"),
        ({"co_leads": ("UNKNOWN",)}, "co_leads", "can't find"),
    ],
)
def test_field_errors(changes: dict[str, object], field: str, words: str) -> None:
    errors = check(form_with(**changes))
    assert field in errors and words in errors[field], errors


def test_a_taken_name_and_an_edit_keeping_passed_dates() -> None:
    assert "already a program" in check(FORM, taken=True)["name"]
    kept, _ = validate_program(FORM, today=TODAY, name_taken=False, people=PEOPLE)
    later = TODAY + timedelta(days=20)  # both the start and the close day have passed
    draft, errors = validate_program(FORM, today=later, name_taken=False, people=PEOPLE, keep=kept)
    assert errors == {} and draft is not None
    _, errors = validate_program(FORM, today=later, name_taken=False, people=PEOPLE)
    assert set(errors) == {"starts_on", "enrol_closes_on"}


TEXT = st.text(alphabet=st.sampled_from(list("ab Kk,-*•\n")), max_size=60)


@given(TEXT)
def test_skill_lists(text: str) -> None:
    skills = skill_list(text)
    assert len({s.casefold() for s in skills}) == len(skills)
    for skill in skills:
        assert skill and skill == skill.strip() and "," not in skill and "\n" not in skill
        assert not skill.startswith(("-", "*", "•"))
    # Typing the list back in gives the same list.
    assert skill_list("\n".join(skills)) == skills
    assert all("\n" not in q for q in question_lines(text))


@settings(max_examples=200)
@given(
    name=st.text(max_size=90),
    skills=TEXT,
    starts=st.integers(-5, 400),
    length=st.one_of(st.none(), st.sampled_from([3, 6, 9, 12])),
    ends=st.one_of(st.none(), st.integers(-10, 1200)),
    closes=st.one_of(st.none(), st.integers(-5, 400)),
    weeks=st.integers(-1, 60),
)
def test_a_draft_always_keeps_the_rules(
    name: str,
    skills: str,
    starts: int,
    length: int | None,
    ends: int | None,
    closes: int | None,
    weeks: int,
) -> None:
    start = TODAY + timedelta(days=starts)
    form = form_with(
        name=name,
        skills=skills,
        starts_on=start,
        duration_months=length,
        end_date=None if ends is None else start + timedelta(days=ends),
        enrol_closes_on=None if closes is None else TODAY + timedelta(days=closes),
        checkpoint_weeks=weeks,
    )
    draft, errors = validate_program(form, today=TODAY, name_taken=False, people=PEOPLE)
    assert (draft is None) != (errors == {})
    if draft is None:
        return
    assert draft.name and len(draft.name) <= 80 and draft.name == " ".join(draft.name.split())
    assert 1 <= len(draft.skills) <= MAX_SKILLS and 1 <= draft.checkpoint_weeks <= 52
    assert draft.starts_on >= TODAY
    assert draft.enrol_closes_on is None or TODAY <= draft.enrol_closes_on <= draft.starts_on
    assert (draft.end_date is None) != (draft.duration_months is None)


def test_names_and_enrolment_windows() -> None:
    assert name_key("  2027  Engineering ") == name_key("2027 engineering")
    assert enrolment_open(True, None, TODAY) and enrolment_open(True, TODAY, TODAY)
    assert not enrolment_open(True, TODAY - timedelta(days=1), TODAY)
    assert not enrolment_open(False, None, TODAY)


SKILLS = ("Kubernetes / k8s", "Go (golang)", "SQL")


def enrol(form: EnrolmentForm, either: bool = False) -> dict[str, str]:
    draft, errors = validate_enrolment(
        form, user_id="U1", program_skills=SKILLS, allow_either=either, people=PEOPLE
    )
    assert (draft is None) == bool(errors)
    return errors


def test_enrolment_rules() -> None:
    draft, errors = validate_enrolment(
        EnrolmentForm("mentor", ("sql", "Go (golang)", "Rust"), "", "3", ("UBOT", "U2")),
        user_id="U1",
        program_skills=SKILLS,
        allow_either=False,
        people={**PEOPLE, "U2": PersonFacts("U2", "Kim")},
    )
    assert errors == {} and draft is not None
    assert draft.skills == ("SQL", "Go (golang)")  # the program's spelling; unknown ones dropped
    assert (draft.capacity, draft.avoid) == (3, ("U2",))  # a bot can never be matched anyway
    assert "role" in enrol(EnrolmentForm(None, ("SQL",), "x"))
    assert "role" in enrol(EnrolmentForm("either", ("SQL",), "x"))
    assert enrol(EnrolmentForm("either", ("SQL",), "x", "1"), either=True) == {}
    assert "skills" in enrol(EnrolmentForm("mentee", ("Rust",), "Learn"))
    assert "goals" in enrol(EnrolmentForm("mentee", ("SQL",), "  "))
    assert "goals" in enrol(EnrolmentForm("mentee", ("SQL",), "x" * 1001))
    assert "goals" in enrol(EnrolmentForm("mentee", ("SQL",), "\n".join("g" * 11)))
    assert enrol(EnrolmentForm("mentee", ("SQL",), "Tune queries", "99")) == {}  # not asked
    for bad in ("0", "6", "two", "", "1.5", None):
        assert "1 to 5" in enrol(EnrolmentForm("mentor", ("SQL",), "", bad))["capacity"]
    assert "yourself" not in enrol(EnrolmentForm("mentee", ("SQL",), "x", avoid=("U2",)))
    assert "own matches" in enrol(EnrolmentForm("mentee", ("SQL",), "x", avoid=("U1",)))["avoid"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["mentor", "mentee", "either"]), st.integers(1, 5)), max_size=20
    )
)
def test_either_takes_the_side_that_is_short(people: list[tuple[str, int]]) -> None:
    sides = [Side(f"U{i}", role, cap) for i, (role, cap) in enumerate(people)]
    mentors, mentees = place_sides(sides)
    assert sorted(mentors + mentees) == sorted(s.user_id for s in sides)
    assert not set(mentors) & set(mentees)
    by_id = {s.user_id: s for s in sides}
    assert [m for m in mentors if by_id[m].role == "mentor"] == [
        s.user_id for s in sides if s.role == "mentor"
    ]
    assert all(by_id[m].role != "mentee" for m in mentors)
    assert all(by_id[e].role != "mentor" for e in mentees)
    places = sum(by_id[m].capacity for m in mentors)
    eithers_as_mentees = [e for e in mentees if by_id[e].role == "either"]
    if eithers_as_mentees:  # an either only mentees once the mentor places were enough
        assert places >= len(mentees) - len(eithers_as_mentees)


def _minutes(instant: datetime, tz: str) -> int:
    local = instant.astimezone(ZoneInfo(tz))
    return local.hour * 60 + local.minute


def _fits(day: date, start: time, mentor_tz: str, mentee_tz: str) -> bool:
    instant = datetime.combine(day, start, ZoneInfo(mentor_tz))
    return all(9 * 60 <= _minutes(instant, tz) <= 16 * 60 for tz in (mentor_tz, mentee_tz))


def test_meeting_times_suit_both_people() -> None:
    day = date(2027, 3, 15)
    assert meeting_time_for("Europe/Berlin", "America/New_York", day) == time(15, 0)
    assert meeting_time_for("Asia/Kolkata", "Asia/Tokyo", day) == time(12, 30)  # 16:00 in Tokyo
    assert meeting_time_for("Europe/Berlin", "Europe/Berlin", day) == time(15, 0)
    assert meeting_time_for("Europe/Berlin", "Asia/Kathmandu", day) == time(11, 15)
    assert meeting_time_for("Europe/Berlin", "Pacific/Auckland", day) == time(15, 0)  # no overlap


@settings(max_examples=300)
@given(
    st.sampled_from(ZONES), st.sampled_from(ZONES), st.dates(date(2027, 1, 1), date(2028, 12, 31))
)
def test_a_meeting_time_fits_whenever_any_quarter_hour_does(
    mentor: str, mentee: str, day: date
) -> None:
    chosen = meeting_time_for(mentor, mentee, day)
    starts = [time(h, m) for h in range(9, 17) for m in (0, 15, 30, 45) if (h, m) <= (16, 0)]
    fitting = [t for t in starts if _fits(day, t, mentor, mentee)]
    if fitting:
        assert chosen in fitting
        best = min(abs(t.hour * 60 + t.minute - 900) for t in fitting)
        assert abs(chosen.hour * 60 + chosen.minute - 900) == best
    else:
        assert chosen == time(15, 0)


@settings(max_examples=200)
@given(
    starts=st.integers(-30, 200),
    length=st.sampled_from([3, 6, 12]),
    mentor_tz=st.sampled_from(ZONES),
    mentee_tz=st.sampled_from(ZONES),
    cadence=st.sampled_from(["weekly", "biweekly", "monthly"]),
    monthly_mode=st.sampled_from(["weekday_position", "day_of_month"]),
    hour=st.integers(0, 23),
)
def test_a_published_match_makes_a_valid_plan(
    starts: int,
    length: int,
    mentor_tz: str,
    mentee_tz: str,
    cadence: str,
    monthly_mode: str,
    hour: int,
) -> None:
    """Whenever it is published, a match of a program makes a plan the plan form would accept."""
    now = datetime.combine(TODAY, time(hour), UTC)
    program = ProgramDefaults(
        name="2027 Engineering",
        cadence=cadence,
        monthly_mode=monthly_mode,
        starts_on=TODAY + timedelta(days=starts),
        duration_months=length,
        end_date=None,
        checkpoint_weeks=4,
        announce_channel="C0MENTOR01",
    )
    mentor = PersonFacts("U1", "Kim", tz=mentor_tz)
    mentee = PersonFacts("U2", "Lee", tz=mentee_tz)
    today = now.astimezone(ZoneInfo(mentor_tz)).date()
    form = pair_plan(
        program,
        mentor=mentor,
        mentee=mentee,
        mentee_goals=("Run k8s in production",),
        mentee_skills=("Kubernetes / k8s",) * 7,
        today=today,
    )
    plan, errors = validate_plan(
        form, now=now, people={"U1": mentor, "U2": mentee}, open_pair_exists=False
    )
    assert errors == {} and plan is not None
    assert plan.first_date == first_meeting_day(program.starts_on, today) > today
    assert (
        plan.tz == mentor_tz and plan.announce and plan.mentee_goals == ("Run k8s in production",)
    )
    assert (plan.cadence, plan.monthly_mode) == (
        cadence,
        monthly_mode if cadence == "monthly" else "weekday_position",
    )


def test_program_questions_replace_the_standard_checkpoint_questions() -> None:
    standard = questions_for("checkpoint", ["Ship it"], "Kim")
    assert [q.key for q in standard] == ["goal_0", "worked", "change", "rating"]
    own = questions_for("checkpoint", ["Ship it"], "Kim", checkpoint=["What's in your way?"])
    assert [(q.key, q.text) for q in own] == [
        ("goal_0", "How far did you get with *Ship it*?"),
        ("program_0", "What's in your way?"),
    ]
    # Kickoff and final review keep theirs.
    assert questions_for("kickoff", [], "Kim", checkpoint=["Q?"]) == questions_for(
        "kickoff", [], "Kim"
    )
