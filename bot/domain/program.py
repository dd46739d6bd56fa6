"""A program as plain data: the lead's form, its validation, and the lists people type in it
(skills, checkpoint questions). No Slack, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.plan import (
    CADENCES,
    MAX_PLAN_DAYS,
    MAX_TEXT,
    PersonFacts,
    add_months,
)

MAX_NAME = 80
MAX_SKILLS = 50
MAX_SKILL = 75  # a skill is an option in the enrolment form: Slack's option text limit
MAX_QUESTIONS = 5
MAX_QUESTION = 300
MAX_CO_LEADS = 10


@dataclass(frozen=True)
class ProgramForm:
    """Raw answers from the program form; any field may be missing."""

    name: str | None = None
    description: str | None = None
    cadence: str | None = None
    starts_on: date | None = None
    duration_months: int | None = None
    end_date: date | None = None
    enrol_closes_on: date | None = None
    checkpoint_weeks: int | None = None
    skills: str | None = None
    questions: str | None = None
    announce_channel: str | None = None
    allow_either: bool = False
    co_leads: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramDraft:
    """A valid program, ready to store."""

    name: str
    description: str
    cadence: str  # weekly, biweekly or monthly
    monthly_mode: str
    starts_on: date
    duration_months: int | None
    end_date: date | None
    enrol_closes_on: date | None
    checkpoint_weeks: int
    skills: tuple[str, ...]
    questions: tuple[str, ...]
    announce_channel: str | None
    allow_either: bool
    co_leads: tuple[str, ...]


def name_key(name: str) -> str:
    """What makes two program names the same: case and runs of spaces don't count."""
    return " ".join(name.split()).casefold()


_BULLET = re.compile(r"^[\s\-*•·]+")


def _lines(text: str | None, *, commas: bool) -> list[str]:
    pieces = re.split(r"[\n,]" if commas else r"\n", text or "")
    cleaned = (" ".join(_BULLET.sub("", piece).split()) for piece in pieces)
    return [piece for piece in cleaned if piece]


def skill_list(text: str | None) -> tuple[str, ...]:
    """The skills a lead typed, one per line or comma-separated: bullets and blanks dropped, and
    each skill once (the first spelling wins, whatever its case)."""
    seen: dict[str, str] = {}
    for skill in _lines(text, commas=True):
        seen.setdefault(skill.casefold(), skill)
    return tuple(seen.values())


def question_lines(text: str | None) -> tuple[str, ...]:
    """Checkpoint questions, one per line."""
    return tuple(_lines(text, commas=False))


def validate_program(
    form: ProgramForm,
    *,
    today: date,
    name_taken: bool,
    people: Mapping[str, PersonFacts],
    keep: ProgramDraft | None = None,
) -> tuple[ProgramDraft | None, dict[str, str]]:
    """Check a submitted program form; (draft, {}) or (None, {field: message}).

    `today` is the day in the program's zone. An edit passes the stored program as `keep`: its
    start and close dates may stay as they are even once they have passed.
    """
    errors: dict[str, str] = {}
    name = " ".join((form.name or "").split())
    if not name:
        errors["name"] = "Please give the program a name."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Please keep the name under {MAX_NAME} characters."
    elif name_taken:
        errors["name"] = f"There's already a program called “{name}” here — pick another name."
    description = (form.description or "").strip()
    if len(description) > MAX_TEXT:
        errors["description"] = f"Please keep this under {MAX_TEXT:,} characters."
    if form.cadence not in CADENCES:
        errors["cadence"] = "Pick weekly, every two weeks, or monthly."

    start = form.starts_on
    if start is None:
        errors["starts_on"] = "Pick the day the first meetings can start."
    elif start < today and not (keep and start == keep.starts_on):
        errors["starts_on"] = "That day has passed — pick today or later."
    end = form.end_date
    if end is None and form.duration_months and start is not None:
        end = add_months(start, form.duration_months)
    if end is None and start is not None:
        errors["duration"] = "Choose a length or an end date."
    elif start is not None and end is not None:
        if end <= start:
            errors["end_date"] = (
                "The end date needs to be after the first meetings — pick a later one."
            )
        elif end - start > timedelta(days=MAX_PLAN_DAYS):
            errors["end_date"] = "A program can run up to three years; pick an earlier end date."
    closes = form.enrol_closes_on
    if closes is not None and not (keep and closes == keep.enrol_closes_on):
        if closes < today:
            errors["enrol_closes_on"] = (
                "That day has passed — pick today or later, or leave it empty."
            )
        elif start is not None and closes > start:
            errors["enrol_closes_on"] = "Enrolment needs to close by the day meetings start."
    if form.checkpoint_weeks is None or not 1 <= form.checkpoint_weeks <= 52:
        errors["checkpoint_weeks"] = "Pick how many weeks between checkpoints."

    skills = skill_list(form.skills)
    long_skill = next((s for s in skills if len(s) > MAX_SKILL), None)
    if not skills:
        errors["skills"] = "List the skills or topics people pick from, one per line."
    elif len(skills) > MAX_SKILLS:
        errors["skills"] = f"Up to {MAX_SKILLS} skills, please (this list has {len(skills)})."
    elif long_skill is not None:
        errors["skills"] = (
            f"Please keep each skill under {MAX_SKILL} characters: “{long_skill[:40]}…” is longer."
        )
    questions = question_lines(form.questions)
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = f"Up to {MAX_QUESTIONS} questions, one per line."
    elif any(len(q) > MAX_QUESTION for q in questions):
        errors["questions"] = f"Please keep each question under {MAX_QUESTION} characters."

    co_leads = tuple(dict.fromkeys(form.co_leads))
    if len(co_leads) > MAX_CO_LEADS:
        errors["co_leads"] = f"Up to {MAX_CO_LEADS} co-leads, please."
    for user_id in co_leads:
        problem = lead_problem(people.get(user_id))
        if problem:
            errors["co_leads"] = problem
            break

    if errors:
        return None, errors
    assert form.cadence is not None and start is not None and form.checkpoint_weeks is not None
    cadence, monthly_mode = form.cadence, "weekday_position"
    if cadence == "monthly_day":
        cadence, monthly_mode = "monthly", "day_of_month"
    return (
        ProgramDraft(
            name=name,
            description=description,
            cadence=cadence,
            monthly_mode=monthly_mode,
            starts_on=start,
            duration_months=None if form.end_date else form.duration_months,
            end_date=form.end_date,
            enrol_closes_on=closes,
            checkpoint_weeks=form.checkpoint_weeks,
            skills=skills,
            questions=questions,
            announce_channel=form.announce_channel or None,
            allow_either=form.allow_either,
            co_leads=co_leads,
        ),
        {},
    )


def lead_problem(facts: PersonFacts | None) -> str | None:
    """Why someone can't be a co-lead (or be left out of your matches), else None."""
    if facts is None or not facts.exists:
        return "I can't find one of those people in this workspace."
    if facts.is_bot:
        return f"{facts.name} is a bot — please pick people."
    if facts.deleted:
        return f"{facts.name}'s account is deactivated — please pick someone else."
    return None


def enrolment_open(status_open: bool, closes_on: date | None, today: date) -> bool:
    """People may enrol while the program is open and its closing day has not passed."""
    return status_open and (closes_on is None or today <= closes_on)
