"""A pair's meeting series as one recurring iCalendar (RFC 5545) file, from the planner's own rule.

Pure: plain data in, bytes out. The RRULE is derived from the same `MeetingRule` that
`bot.domain.schedule.occurrences` expands, and every instant written is checked against it:

* DTSTART, EXDATE and RECURRENCE-ID carry the rule's *wall* time with `TZID=<plan zone>`.
  schedule.py resolves a wall time in a spring-forward gap with the offset before the gap and an
  ambiguous one to its first instant; RFC 5545 §3.3.5 reads a TZID wall time exactly that way,
  so writing the wall time (not the normalised one) gives the same instants in any client.
* Monthly by day of month: schedule.py takes the last of the days min(d, 28)..d that the month
  has, i.e. d itself or the month's last day. Day 31 becomes `BYMONTHDAY=-1`, days 29 and 30
  `BYMONTHDAY=28,29,30;BYSETPOS=-1` (the planner's own rrule), lower days `BYMONTHDAY=d`.
* UNTIL is the UTC instant of the planner's last meeting, on or before the end date.

Skipped meetings and paused spans become EXDATEs, a moved meeting an override VEVENT with the
same UID and a RECURRENCE-ID, an ended series `STATUS:CANCELLED` with `METHOD:CANCEL`. The
description holds facts only (cadence, format, channels, a link back to Slack), never goals or
reflections: calendars are often visible to colleagues.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.domain.plan import CHANNELS, FORMATS, Plan
from bot.domain.schedule import (
    Cadence,
    MeetingRule,
    MonthlyMode,
    occurrences,
    rule_description,
    validate_rule,
    weekday_position,
)
from bot.domain.timefmt import format_local_date

PRODID = "-//Mentorship bot//Meeting series//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
FILENAME = "mentorship.ics"
LINK_SCHEMES = ("https://", "slack://")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# VTIMEZONE coverage past the last dated thing in the file when the series has no end date.
_OPEN_ENDED_YEARS = 5


@dataclass(frozen=True)
class Move:
    """A meeting moved from its series slot (the instant the planner gave it) to a new instant."""

    slot: datetime
    to: datetime


@dataclass(frozen=True)
class Pause:
    """No meetings strictly after `start` and strictly before `end` (None: to the series' end).

    The bounds are those of a pause in the bot: from the moment it was paused to the planner's
    resume instant (`bot.lifecycle.resume_instant`).
    """

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class SeriesFile:
    """Everything one pair's calendar file says; all datetimes aware, in any zone.

    `format` and `channels` are the plan's codes (keys of `plan.FORMATS` / `plan.CHANNELS`);
    `link` opens the plan in Slack (https or slack:// URL); `stamp` is DTSTAMP, the moment the
    file is made; `sequence` must go up with every change (the pair's schedule_version).
    """

    rule: MeetingRule
    uid: str
    sequence: int
    summary: str
    stamp: datetime
    format: str
    channels: tuple[str, ...]
    link: str
    minutes: int = 30
    skipped: tuple[datetime, ...] = ()
    paused: tuple[Pause, ...] = ()
    moved: tuple[Move, ...] = ()
    ended: bool = False
    alarm_minutes: int | None = None


def series_uid(
    team_id: str, pair_id: int | str, secret: str | bytes, domain: str = "mentorship-bot"
) -> str:
    """A stable UID for a pair's series that reveals no names or ids: an HMAC keyed by `secret`."""
    key = secret.encode() if isinstance(secret, str) else secret
    if not key:
        raise ValueError("the UID secret must not be empty")
    digest = hmac.new(key, f"{team_id}\x1f{pair_id}".encode(), hashlib.sha256).hexdigest()
    return f"pair-{digest[:32]}@{domain}"


def series_summary(mentee: str, mentor: str) -> str:
    """The event title, e.g. "Mentorship: Ana ↔ Ben" (names only, as PROGRAMS.md C3 proposes)."""
    return f"Mentorship: {' '.join(mentee.split())} ↔ {' '.join(mentor.split())}"


def slack_home_link(team_id: str, app_id: str) -> str:
    """A deep link to the app's Home tab in Slack."""
    return f"slack://app?team={team_id}&id={app_id}&tab=home"


def series_from_plan(
    plan: Plan,
    *,
    uid: str,
    sequence: int,
    summary: str,
    stamp: datetime,
    link: str,
    minutes: int = 30,
) -> SeriesFile:
    """The file for a freshly confirmed plan; only its structure is read, never its goals."""
    rule = MeetingRule(
        cadence=Cadence(plan.cadence),
        first_date=plan.first_date,
        local_time=plan.meeting_time,
        tz=plan.tz,
        end_date=plan.end_date,
        monthly_mode=MonthlyMode(plan.monthly_mode),
    )
    return SeriesFile(
        rule=rule,
        uid=uid,
        sequence=sequence,
        summary=summary,
        stamp=stamp,
        format=plan.format,
        channels=plan.channels,
        link=link,
        minutes=minutes,
    )


def series_problems(series: SeriesFile) -> list[str]:
    """What makes `series` unusable, as sentences; empty when a file can be built."""
    problems = validate_rule(series.rule)
    if not series.uid or any(c.isspace() or not c.isprintable() for c in series.uid):
        problems.append("The UID must be non-empty printable text without spaces.")
    if series.sequence < 0:
        problems.append("SEQUENCE must not be negative.")
    if not 1 <= series.minutes <= 24 * 60:
        problems.append("A meeting lasts between 1 minute and 24 hours.")
    if series.alarm_minutes is not None and series.alarm_minutes < 0:
        problems.append("The reminder must not be after the start.")
    if series.format not in FORMATS:
        problems.append(f"Unknown format {series.format!r}.")
    problems += [f"Unknown channel {c!r}." for c in series.channels if c not in CHANNELS]
    if not series.link.startswith(LINK_SCHEMES) or any(c.isspace() for c in series.link):
        problems.append("The link must be an https:// or slack:// URL.")
    instants = [series.stamp, *series.skipped, *(m.slot for m in series.moved)]
    instants += [m.to for m in series.moved] + [p.start for p in series.paused]
    instants += [p.end for p in series.paused if p.end is not None]
    if any(i.tzinfo is None or i.utcoffset() is None for i in instants):
        problems.append("Every datetime must be timezone-aware.")
    elif any(p.end is not None and p.end <= p.start for p in series.paused):
        problems.append("A pause must end after it starts.")
    if series.rule.end_date is None and any(p.end is None for p in series.paused):
        problems.append("An open-ended pause needs a series with an end date.")
    return problems


def series_description(series: SeriesFile) -> str:
    """The event's DESCRIPTION: facts about the series and a link back, nothing personal."""
    rule = series.rule
    until = f", until {format_local_date(rule.end_date)}" if rule.end_date else ""
    lines = [
        f"Mentorship meetings {rule_description(rule)}, {series.minutes} minutes{until}.",
        f"Format: {FORMATS[series.format]}",
        f"Channels: {', '.join(CHANNELS[c] for c in series.channels) or '-'}",
        f"Open the plan in Slack: {series.link}",
    ]
    if series.ended:
        lines.insert(0, "This mentorship has ended; the meetings are cancelled.")
    return "\n".join(lines)


def stray_slots(series: SeriesFile) -> tuple[datetime, ...]:
    """Skipped or moved slots that are not meetings of the rule; the file leaves them out."""
    given = [*series.skipped, *(m.slot for m in series.moved)]
    return tuple(i for i in given if _slot_wall(series.rule, i) is None)


def series_calendar(series: SeriesFile) -> Calendar:
    """The VCALENDAR for `series`; raises ValueError when `series_problems` finds any."""
    problems = series_problems(series)
    if problems:
        raise ValueError(" ".join(problems))
    rule = series.rule
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if series.ended else "PUBLISH")

    removed = _removed_walls(series)
    master = _event(series, _first_wall(rule))
    master.add("rrule", _recur(rule))
    if removed:
        master.add("exdate", sorted(removed))
    cal.add_component(master)
    overrides: dict[datetime, datetime] = {}
    for move in series.moved:  # the latest move of a slot wins
        wall = _slot_wall(rule, move.slot)
        if wall is not None and wall not in removed:
            overrides[wall] = move.to
    for wall, to in sorted(overrides.items()):
        override = _event(series, _exact(to, ZoneInfo(rule.tz)))
        override.add("recurrence-id", wall)
        cal.add_component(override)

    first, last = _dated_span(series)
    cal.add_missing_timezones(
        first_date=date(first.year, 1, 1), last_date=date(last.year + 2, 1, 1)
    )
    return cal


def series_ics(series: SeriesFile) -> bytes:
    """The file's bytes (CRLF line ends, folded at 75 octets), ready to upload."""
    return bytes(series_calendar(series).to_ical())


def _event(series: SeriesFile, start: datetime) -> Event:
    event = Event()
    event.add("uid", series.uid)
    event.add("dtstamp", series.stamp.astimezone(UTC))
    event.add("sequence", series.sequence)
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=series.minutes))
    event.add("summary", series.summary)
    event.add("description", series_description(series))
    event.add("url", series.link)
    event.add("status", "CANCELLED" if series.ended else "CONFIRMED")
    if series.alarm_minutes is not None and not series.ended:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", series.summary)
        alarm.add("trigger", timedelta(minutes=-series.alarm_minutes))
        event.add_component(alarm)
    return event


def _recur(rule: MeetingRule) -> dict[str, Any]:
    """The RRULE for the planner's `_rrule`, with UNTIL at the planner's last meeting."""
    day = rule.first_date
    recur: dict[str, Any]
    if rule.cadence is not Cadence.MONTHLY:
        interval = 2 if rule.cadence is Cadence.BIWEEKLY else 1
        recur = {"freq": "WEEKLY", "interval": interval, "byday": _DAYS[day.weekday()]}
    elif rule.monthly_mode is MonthlyMode.WEEKDAY_POSITION:
        recur = {"freq": "MONTHLY", "byday": f"{weekday_position(day)}{_DAYS[day.weekday()]}"}
    elif day.day <= 28:
        recur = {"freq": "MONTHLY", "bymonthday": day.day}
    elif day.day == 31:
        recur = {"freq": "MONTHLY", "bymonthday": -1}
    else:  # 29 or 30: that day, or the month's last day when the month is shorter
        recur = {"freq": "MONTHLY", "bymonthday": list(range(28, day.day + 1)), "bysetpos": -1}
    last = _last_meeting(rule)
    if last is not None:
        recur["until"] = last.astimezone(UTC)
    return recur


def _last_meeting(rule: MeetingRule) -> datetime | None:
    if rule.end_date is None:
        return None
    # Every rule meets at least once a month, so the last ten weeks hold the last meeting.
    near_end = max(rule.first_date, rule.end_date - timedelta(weeks=10)) - timedelta(days=1)
    found = occurrences(rule, after=datetime.combine(near_end, time(0), ZoneInfo(rule.tz)))
    return found[-1] if found else None


def _wall(rule: MeetingRule, day: date) -> datetime:
    return datetime.combine(day, rule.local_time.replace(tzinfo=None, fold=0), ZoneInfo(rule.tz))


def _first_wall(rule: MeetingRule) -> datetime:
    # first_date always matches the rule (its own weekday, position or day number).
    return _wall(rule, rule.first_date)


def _slot_wall(rule: MeetingRule, instant: datetime) -> datetime | None:
    """The wall time the rule wrote for the meeting at `instant`, or None if it has none there."""
    at = instant.astimezone(UTC)
    found = occurrences(rule, after=at - timedelta(seconds=1), limit=1)
    if not found or found[0].astimezone(UTC) != at:
        return None
    local_day = found[0].date()
    # A wall time in a gap moves forward, at most across midnight into the next day.
    for day in (local_day, local_day - timedelta(days=1)):
        wall = _wall(rule, day)
        if wall.astimezone(UTC) == at:
            return wall
    return None


def _removed_walls(series: SeriesFile) -> set[datetime]:
    rule = series.rule
    walls = {_slot_wall(rule, i) for i in series.skipped}
    for pause in series.paused:
        until = None if pause.end is None else pause.end - timedelta(microseconds=1)
        meetings = occurrences(rule, after=pause.start, until=until)
        walls |= {_slot_wall(rule, m) for m in meetings}
    return {w for w in walls if w is not None}


def _exact(instant: datetime, zone: ZoneInfo) -> datetime:
    """`instant` as a wall time in `zone`, or in UTC when that wall time names another instant.

    A TZID wall time in a fall-back fold means the first of its two instants (RFC 5545 §3.3.5),
    so a meeting moved into the second one is written in UTC to keep its instant.
    """
    local = instant.astimezone(zone)
    if local.replace(fold=0).astimezone(UTC) != instant.astimezone(UTC):
        return instant.astimezone(UTC)
    return local.replace(fold=0)


def _dated_span(series: SeriesFile) -> tuple[date, date]:
    """The first and last local dates the file refers to, for the VTIMEZONE's coverage."""
    zone = ZoneInfo(series.rule.tz)
    days = [series.rule.first_date, *(m.to.astimezone(zone).date() for m in series.moved)]
    if series.rule.end_date is not None:
        days.append(series.rule.end_date)
    else:
        days.append(max(days) + timedelta(days=366 * _OPEN_ENDED_YEARS))
    return min(days), max(days)
