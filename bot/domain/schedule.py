"""Meeting occurrences and mentorship milestones, computed from a rule stored as plain data.

Occurrences come from `dateutil.rrule` with an aware `dtstart` in the plan's `ZoneInfo`, so the
local wall time stays fixed across daylight-saving changes in both directions. Python compares and
subtracts two datetimes that share a tzinfo by wall clock, so every bound is converted to UTC
before it is compared, and every generated wall time is normalised through a UTC round trip:

* a wall time inside a spring-forward gap (02:30 on the last Sunday of March in Europe/Berlin)
  becomes the instant it denotes with the offset before the gap, i.e. it moves forward by the gap
  (03:30 local);
* an ambiguous wall time in a fall-back fold takes the first instant (`fold=0`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from dateutil.rrule import weekdays as RRULE_WEEKDAYS

from bot.domain.timefmt import is_valid_timezone

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class Cadence(StrEnum):
    """How often the pair meets."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class MonthlyMode(StrEnum):
    """Which day a monthly meeting falls on."""

    WEEKDAY_POSITION = "weekday_position"
    DAY_OF_MONTH = "day_of_month"


@dataclass(frozen=True)
class MeetingRule:
    """A recurring meeting; `first_date` fixes the weekday, the day and the biweekly phase."""

    cadence: Cadence
    first_date: date
    local_time: time
    tz: str
    end_date: date | None
    monthly_mode: MonthlyMode = MonthlyMode.WEEKDAY_POSITION


def validate_rule(rule: MeetingRule) -> list[str]:
    """Problems with `rule` as human-readable sentences; empty when the rule is usable."""
    problems: list[str] = []
    if not is_valid_timezone(rule.tz):
        problems.append(f"I don't know the time zone {rule.tz!r}; use a name like Europe/Berlin.")
    if rule.local_time.tzinfo is not None:
        problems.append("The meeting time must be a local wall time without a time zone.")
    if rule.end_date is not None and rule.end_date < rule.first_date:
        problems.append(
            f"The end date {rule.end_date.isoformat()} is before the first meeting "
            f"{rule.first_date.isoformat()}."
        )
    return problems


def weekday_position(d: date) -> int:
    """Position of `d` among its month's same weekdays: 1..4, or -1 for a fifth one ("last")."""
    position = (d.day - 1) // 7 + 1
    return -1 if position == 5 else position


def resolve_local(day: date, local_time: time, tz: str) -> datetime:
    """The instant at `local_time` on `day` in `tz`: gaps move forward, folds take the first."""
    zone = ZoneInfo(tz)
    wall = datetime.combine(day, local_time.replace(tzinfo=None, fold=0), tzinfo=zone)
    return _normalise(wall, zone)


def _normalise(wall: datetime, zone: ZoneInfo) -> datetime:
    # rrule yields fold=0 datetimes. fold=0 reads a gap time with the pre-transition offset (a later
    # instant) and a fold time as the first instant; the round trip yields a real wall time.
    return wall.astimezone(UTC).astimezone(zone)


def _as_utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return instant.astimezone(UTC)


def _rrule(rule: MeetingRule, start: date) -> rrule:
    """The rule as an rrule iterating from `start`, which must be an occurrence or a month's 1st."""
    zone = ZoneInfo(rule.tz)
    wall_time = rule.local_time.replace(tzinfo=None, fold=0)
    dtstart = datetime.combine(start, wall_time, tzinfo=zone)
    until = None if rule.end_date is None else datetime.combine(rule.end_date, wall_time, zone)
    day = rule.first_date
    wd: weekday = RRULE_WEEKDAYS[day.weekday()]
    if rule.cadence is Cadence.MONTHLY:
        if rule.monthly_mode is MonthlyMode.DAY_OF_MONTH:
            # The last of the candidate days that the month has: day 31 -> 30 Apr, 28/29 Feb.
            days = tuple(range(min(day.day, 28), day.day + 1))
            return rrule(MONTHLY, dtstart=dtstart, until=until, bymonthday=days, bysetpos=-1)
        return rrule(MONTHLY, dtstart=dtstart, until=until, byweekday=wd(weekday_position(day)))
    interval = 2 if rule.cadence is Cadence.BIWEEKLY else 1
    return rrule(WEEKLY, dtstart=dtstart, until=until, interval=interval, byweekday=wd)


def _start_near(rule: MeetingRule, after_utc: datetime) -> date:
    """A date at least a week before `after` from which the series can be iterated unchanged.

    For weekly and biweekly rules it is an occurrence of the series itself (first_date plus a
    whole number of periods), so the phase set by first_date is kept; for monthly rules it is the
    1st of a month, since every month has exactly one occurrence. Never before first_date.
    """
    local_day = after_utc.astimezone(ZoneInfo(rule.tz)).date()
    if local_day <= rule.first_date:
        return rule.first_date
    if rule.cadence is Cadence.MONTHLY:
        year, month = divmod(local_day.year * 12 + local_day.month - 1 - 2, 12)
        return max(rule.first_date, date(year, month + 1, 1))
    step = 14 if rule.cadence is Cadence.BIWEEKLY else 7
    periods = max(0, (local_day - rule.first_date).days // step - 1)
    return rule.first_date + timedelta(days=periods * step)


def occurrences(
    rule: MeetingRule,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[datetime]:
    """Meetings of `rule` (aware, in its zone) strictly after `after` and at or before `until`.

    Weekly: every 7 days on first_date's weekday. Biweekly: every 14 days in first_date's phase.
    Monthly WEEKDAY_POSITION: first_date's weekday position (a fifth weekday means "last").
    Monthly DAY_OF_MONTH: first_date's day number, or the month's last day when it is shorter.
    `after` and `until` may be in any zone; at most `limit` results; none on a local date past
    end_date. Gap and fold handling is described in the module docstring. Jumping ahead to
    `after` keeps the series anchored on first_date, so it costs the same for any `after`.
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    if until is None and limit is None and rule.end_date is None:
        raise ValueError("an open-ended rule needs `until` or `limit`")
    zone = ZoneInfo(rule.tz)
    until_utc = None if until is None else _as_utc(until, "until")
    series: Iterator[datetime]
    if after is None:
        series = iter(_rrule(rule, rule.first_date))
    else:
        after_utc = _as_utc(after, "after")
        # UTC bound: comparing against the zone's own tzinfo would compare wall clocks.
        series = _rrule(rule, _start_near(rule, after_utc)).xafter(after_utc, inc=False)
    found: list[datetime] = []
    while limit is None or len(found) < limit:
        wall = next(series, None)
        if wall is None or (until_utc is not None and wall > until_utc):
            break
        found.append(_normalise(wall, zone))
    return found


def occurrences_utc(
    rule: MeetingRule,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[datetime]:
    """Like `occurrences`, as UTC datetimes (what storage keeps)."""
    return [o.astimezone(UTC) for o in occurrences(rule, after=after, until=until, limit=limit)]


def next_occurrence(rule: MeetingRule, after: datetime) -> datetime | None:
    """The first meeting strictly after `after`, or None when the series has ended."""
    found = occurrences(rule, after=after, limit=1)
    return found[0] if found else None


def rule_description(rule: MeetingRule) -> str:
    """Plain English, e.g. "every other Tuesday at 15:00 (Europe/Berlin)"."""
    day = rule.first_date
    name = WEEKDAY_NAMES[day.weekday()]
    at = f"at {rule.local_time:%H:%M} ({rule.tz})"
    if rule.cadence is Cadence.WEEKLY:
        return f"every {name} {at}"
    if rule.cadence is Cadence.BIWEEKLY:
        return f"every other {name} {at}"
    if rule.monthly_mode is MonthlyMode.DAY_OF_MONTH:
        tail = " (or the month's last day)" if day.day > 28 else ""
        return f"on day {day.day} of each month{tail} {at}"
    return f"the {_ORDINALS[weekday_position(day)]} {name} of each month {at}"


class MilestoneKind(StrEnum):
    """The kinds of milestone in a mentorship."""

    KICKOFF = "kickoff"
    CHECKPOINT = "checkpoint"
    FINAL_REVIEW = "final_review"


@dataclass(frozen=True)
class MilestonePlan:
    """One planned milestone; `index` is 1..n for checkpoints and 0 for kickoff and final review."""

    kind: MilestoneKind
    index: int
    due_date: date


def milestone_plan(
    first_date: date, end_date: date, checkpoint_every_weeks: int
) -> list[MilestonePlan]:
    """Kickoff on first_date, a checkpoint every N weeks, final review on end_date.

    Checkpoints fall on first_date + k*N weeks (k >= 1) strictly before end_date; one that would
    be 7 days or less before the final review is dropped, since the review covers it.
    """
    if checkpoint_every_weeks < 1:
        raise ValueError("checkpoint_every_weeks must be at least 1")
    if end_date < first_date:
        raise ValueError("end_date must not be before first_date")
    plan = [MilestonePlan(MilestoneKind.KICKOFF, 0, first_date)]
    step = timedelta(weeks=checkpoint_every_weeks)
    due = first_date + step
    while end_date - due > timedelta(days=7):
        plan.append(MilestonePlan(MilestoneKind.CHECKPOINT, len(plan), due))
        due += step
    plan.append(MilestonePlan(MilestoneKind.FINAL_REVIEW, 0, end_date))
    return plan


def checkpoint_label(index: int, total: int) -> str:
    """Label like "Checkpoint 2 of 3"; a lone checkpoint is "the halfway checkpoint"."""
    if not 1 <= index <= total:
        raise ValueError(f"checkpoint {index} is not between 1 and {total}")
    return "the halfway checkpoint" if total == 1 else f"Checkpoint {index} of {total}"
