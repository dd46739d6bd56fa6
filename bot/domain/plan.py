"""The mentorship plan as plain data, and its validation rules (no Slack, no database)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.timefmt import is_valid_timezone

CADENCES = {
    "weekly": "Weekly",
    "biweekly": "Every two weeks",
    "monthly": "Monthly, same weekday (e.g. 2nd Tuesday)",
    "monthly_day": "Monthly, same day of the month",
}
FORMATS = {
    "in_person": "In person",
    "online": "Online",
    "hybrid": "Hybrid",
    "async": "Asynchronous",
}
CHANNELS = {"email": "Email", "chat": "Chat", "calls": "Calls"}
MEETING_LENGTHS = {
    "15": "15 minutes",
    "30": "30 minutes",
    "45": "45 minutes",
    "60": "1 hour",
    "90": "1 hour 30 minutes",
    "120": "2 hours",
}
DEFAULT_MEETING_MINUTES = 30
DURATIONS = {"3": "3 months", "6": "6 months", "9": "9 months", "12": "12 months"}
CHECKPOINT_WEEKS = {
    "2": "2 weeks",
    "4": "4 weeks",
    "6": "6 weeks",
    "8": "8 weeks",
    "12": "12 weeks",
}

MAX_TEXT = 1000  # the shared vision, and each goal
MAX_GOALS = 10  # goals per person
# A person's goals, one per line, all together: Slack's largest text input (3,000), so the plan
# form can always show (and save) every goal stored, including those added on the Home tab.
MAX_GOALS_TEXT = 3000
MAX_PLAN_DAYS = 3 * 366
MAX_START_DAYS = 366  # the first meeting is at most about a year away

# Characters that show nothing on their own: format characters (zero-width space and joiners,
# the byte-order mark, tag characters), controls, separators, combining marks, and the
# fillers that fonts draw as blank.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
# A channel the bot can announce in: public (C…) or private (G… for older ones). Not a DM (D…).
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,30}")


def is_blank(text: str | None) -> bool:
    """True when `text` shows nothing: empty, whitespace, or only zero-width characters."""
    return not text or all(
        c.isspace() or c in _BLANK_FILLERS or unicodedata.category(c) in _INVISIBLE_CATEGORIES
        for c in text
    )


def goal_problem(text: str | None) -> str | None:
    """Why one goal (Add a goal) cannot be stored, or None: the plan form's own rules."""
    if is_blank(text) or not goal_lines(text):
        return "Please write the goal."
    assert text is not None
    if len(text) > MAX_TEXT:
        return f"Please keep this under {MAX_TEXT:,} characters (it has {len(text):,})."
    return None


def channel_problem(channel_id: str | None) -> str | None:
    """Why a conversation cannot take milestone announcements, or None (none chosen is fine)."""
    if not channel_id:
        return None
    if channel_id.startswith("D"):
        return "That's a direct message — pick a channel for the announcements, or untick the box."
    if not _CHANNEL_ID.fullmatch(channel_id):
        return "Pick a channel from the list for the announcements, or untick the box."
    return None


_BULLET = re.compile(r"^[\s\-*•]+")  # leading bullets (any number) and spaces of a goal line


@dataclass(frozen=True)
class PersonFacts:
    """What validation needs to know about a chosen Slack user."""

    user_id: str
    name: str
    is_bot: bool = False
    deleted: bool = False
    exists: bool = True
    tz: str | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class PlanForm:
    """Raw answers from the plan modal; any field may be missing."""

    mentor_id: str | None = None
    mentee_id: str | None = None
    mentee_goals: str | None = None
    mentor_goals: str | None = None
    vision: str | None = None
    cadence: str | None = None
    first_date: date | None = None
    meeting_time: time | None = None
    meeting_minutes: int | None = None  # None: the default length
    tz: str | None = None
    format: str | None = None
    channels: tuple[str, ...] = ()
    duration_months: int | None = None
    end_date: date | None = None
    checkpoint_weeks: int | None = None
    announce_channel: str | None = None
    announce: bool = False


@dataclass(frozen=True)
class Plan:
    """A validated plan, ready to store."""

    mentor_id: str
    mentee_id: str
    mentee_goals: tuple[str, ...]
    mentor_goals: tuple[str, ...]
    vision: str
    cadence: str
    monthly_mode: str
    first_date: date
    meeting_time: time
    tz: str
    format: str
    channels: tuple[str, ...]
    end_date: date
    checkpoint_weeks: int
    announce_channel: str | None
    announce: bool
    meeting_minutes: int = DEFAULT_MEETING_MINUTES
    warnings: tuple[str, ...] = field(default=())


def goal_lines(text: str | None) -> tuple[str, ...]:
    """Split a goals field into goals: one per line, bullets and blanks removed."""
    if not text:
        return ()
    lines = (_BULLET.sub("", line).strip() for line in text.splitlines())
    return tuple(line for line in lines if not is_blank(line))


def too_long(text: str, limit: int) -> str:
    """The field error for a text over its limit."""
    return f"Please keep this under {limit:,} characters (it has {len(text):,})."


def goals_problem(text: str) -> str | None:
    """What is wrong with a goals field (one goal per line), or None."""
    if len(text) > MAX_GOALS_TEXT:
        return too_long(text, MAX_GOALS_TEXT)
    goals = goal_lines(text)
    if len(goals) > MAX_GOALS:
        return f"Up to {MAX_GOALS} goals, one per line — pick the ones that matter most."
    for number, goal in enumerate(goals, start=1):
        if len(goal) > MAX_TEXT:
            return (
                f"Please keep each goal under {MAX_TEXT:,} characters "
                f"(goal {number} has {len(goal):,})."
            )
    return None


def one_goal(text: str) -> str:
    """A goal typed on its own (the Home's Add a goal) as the plan form would store it: one
    line, without a leading bullet, so an edit of the plan reads it back unchanged."""
    return " ".join(goal_lines(text))


def goal_room(goals: Sequence[str]) -> int:
    """How many characters one more goal may have so that a person's goals, one per line, still
    fit the plan form's goals field (MAX_GOALS_TEXT) and the goal its own limit (MAX_TEXT)."""
    used = len("\n".join(goals)) + (1 if goals else 0)
    return max(0, min(MAX_TEXT, MAX_GOALS_TEXT - used))


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def validate_plan(
    form: PlanForm,
    *,
    now: datetime,
    people: dict[str, PersonFacts],
    open_pair_exists: bool,
    keep_first_date: date | None = None,
) -> tuple[Plan | None, dict[str, str]]:
    """Check a submitted form; return (plan, {}) or (None, {field: message}).

    An edit passes the plan's stored first date as `keep_first_date`: keeping it is fine even
    once it has passed.
    """
    errors: dict[str, str] = {}
    required = {
        "mentor": form.mentor_id,
        "mentee": form.mentee_id,
        "mentee_goals": form.mentee_goals,
        "vision": form.vision,
        "cadence": form.cadence,
        "first_date": form.first_date,
        "meeting_time": form.meeting_time,
        "tz": form.tz,
        "format": form.format,
        "checkpoint_weeks": form.checkpoint_weeks,
    }
    for key, value in required.items():
        if value is None or (isinstance(value, str) and is_blank(value)):
            errors[key] = "Please fill this in."
    if "mentee_goals" not in errors and not goal_lines(form.mentee_goals):
        errors["mentee_goals"] = "Please fill this in."  # bullets or zero-width characters only
    if not form.channels:
        errors["channels"] = "Pick at least one way you'll talk."

    for key in ("mentor", "mentee"):
        user_id = form.mentor_id if key == "mentor" else form.mentee_id
        if user_id and key not in errors:
            problem = _person_problem(people.get(user_id))
            if problem:
                errors[key] = problem
    if form.mentor_id and form.mentor_id == form.mentee_id:
        errors["mentee"] = "The mentor and the mentee need to be two different people."
    elif open_pair_exists and "mentee" not in errors and "mentor" not in errors:
        errors["mentee"] = (
            "These two already have an active mentorship. "
            "Manage it from the Home tab, or end it before starting a new one."
        )

    if form.vision and len(form.vision) > MAX_TEXT:
        errors["vision"] = too_long(form.vision, MAX_TEXT)
    for key, text in (("mentee_goals", form.mentee_goals), ("mentor_goals", form.mentor_goals)):
        problem = goals_problem(text or "")
        if problem:
            errors[key] = problem

    if form.cadence and form.cadence not in CADENCES:
        errors["cadence"] = "Pick weekly, every two weeks, or monthly."
    if form.meeting_minutes is not None and str(form.meeting_minutes) not in MEETING_LENGTHS:
        errors["meeting_minutes"] = "Pick how long a meeting lasts, from 15 minutes to 2 hours."
    if form.format and form.format not in FORMATS:
        errors["format"] = "Pick in person, online, hybrid or asynchronous."
    unknown_channels = [c for c in form.channels if c not in CHANNELS]
    if unknown_channels:
        errors["channels"] = "Pick from email, chat and calls."

    tz_ok = bool(form.tz) and is_valid_timezone((form.tz or "").strip())
    if form.tz and not tz_ok:
        errors["tz"] = (
            f"I don't know the time zone “{form.tz.strip()[:60]}”. "
            "Use an IANA name such as Europe/Berlin or America/New_York."
        )
    tz = (form.tz or "").strip()

    if form.first_date and tz_ok and form.first_date != keep_first_date:
        local_now = now.astimezone(ZoneInfo(tz))
        if form.first_date < local_now.date():
            errors["first_date"] = "The first meeting can't be in the past — pick today or later."
        elif (
            form.first_date == local_now.date()
            and form.meeting_time is not None
            and form.meeting_time <= local_now.time().replace(tzinfo=None)
        ):
            errors["meeting_time"] = "That time has already passed today — pick a later time."

    # A first date far away (a crafted 9999-12-31) is refused before any date is computed from
    # it: its end date and schedule would run off the calendar.
    too_far = bool(
        form.first_date
        and form.first_date != keep_first_date
        and form.first_date > now.date() + timedelta(days=MAX_START_DAYS)
    )
    if too_far:
        errors["first_date"] = "Pick a first meeting within the next year."
    duration_ok = form.duration_months is None or str(form.duration_months) in DURATIONS
    if not duration_ok:
        errors["duration"] = "Pick a duration of 3, 6, 9 or 12 months."

    end_date = form.end_date
    if end_date is None and form.duration_months and form.first_date and duration_ok:
        end_date = None if too_far else add_months(form.first_date, form.duration_months)
    if end_date is None and "first_date" not in errors:
        errors["end_date"] = "Choose a duration or an end date."
    elif form.first_date and end_date is not None:
        if end_date < form.first_date:
            errors["end_date"] = "The end date is before the first meeting — pick a later date."
        elif end_date - form.first_date > timedelta(days=MAX_PLAN_DAYS):
            errors["end_date"] = "A plan can run up to three years; pick an earlier end date."

    if form.checkpoint_weeks is not None and not 1 <= form.checkpoint_weeks <= 52:
        errors["checkpoint_weeks"] = "Pick how many weeks between checkpoints (1 to 52)."
    if form.announce and not form.announce_channel:
        errors["announce_channel"] = "Pick the channel for the announcements, or untick the box."
    elif channel_problem(form.announce_channel):
        errors["announce_channel"] = str(channel_problem(form.announce_channel))

    if errors:
        return None, errors
    assert form.mentor_id and form.mentee_id and form.vision and form.cadence
    assert form.first_date and form.meeting_time and form.format and form.checkpoint_weeks
    assert end_date is not None
    cadence, monthly_mode = form.cadence, "weekday_position"
    if cadence == "monthly_day":
        cadence, monthly_mode = "monthly", "day_of_month"
    return (
        Plan(
            mentor_id=form.mentor_id,
            mentee_id=form.mentee_id,
            mentee_goals=goal_lines(form.mentee_goals),
            mentor_goals=goal_lines(form.mentor_goals),
            vision=form.vision.strip(),
            cadence=cadence,
            monthly_mode=monthly_mode,
            first_date=form.first_date,
            meeting_time=form.meeting_time,
            tz=tz,
            format=form.format,
            channels=tuple(dict.fromkeys(form.channels)),
            end_date=end_date,
            checkpoint_weeks=form.checkpoint_weeks,
            announce_channel=form.announce_channel,
            announce=form.announce,
            meeting_minutes=form.meeting_minutes or DEFAULT_MEETING_MINUTES,
        ),
        {},
    )


def _person_problem(facts: PersonFacts | None) -> str | None:
    if facts is None or not facts.exists:
        return "I can't find that person in this workspace."
    if facts.is_bot:
        return f"{facts.name} is a bot — please pick a person."
    if facts.deleted:
        return f"{facts.name}'s account is deactivated — please pick someone else."
    return None


def people_key(a: str, b: str) -> str:
    """An order-independent key for two people."""
    return ":".join(sorted((a, b)))
