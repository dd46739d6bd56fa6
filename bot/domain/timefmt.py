"""Time formatting for messages: English, locale-independent, always in a named zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_SLACK_FORMAT = "{date_short_pretty} at {time}"


def is_valid_timezone(name: str) -> bool:
    """True when `name` is an IANA zone that zoneinfo can load (not "localtime", no paths)."""
    if not name or name.strip() != name or name == "localtime":
        return False
    if ".." in name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError, OSError, ... all mean "not a zone"
        return False
    return True


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")


def _day_month(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"


def format_local(instant: datetime, tz: str) -> str:
    """Format an aware instant in zone `tz` as "Wed 17 Mar at 15:00"."""
    _require_aware(instant)
    local = instant.astimezone(ZoneInfo(tz))
    return f"{_day_month(local.date())} at {local:%H:%M}"


def format_local_date(d: date) -> str:
    """Format a calendar date as "Wed 17 Mar 2027"."""
    return f"{_day_month(d)} {d.year}"


def slack_date(instant: datetime, reader_tz: str, fmt: str = DEFAULT_SLACK_FORMAT) -> str:
    """Slack date token that each reader sees in their own zone; the fallback is in `reader_tz`."""
    _require_aware(instant)
    epoch = int(instant.timestamp())
    return f"<!date^{epoch}^{fmt}|{format_local(instant, reader_tz)}>"


def zone_offset_note(instant: datetime, reader_tz: str, other_tz: str) -> str | None:
    """The time in `other_tz` ("10:00", or "Tue 18:00" if the date differs), or None if same.

    None when both zones show the same wall clock and date at `instant`; the weekday is added
    when the other zone is on a different calendar day, so "(his 10:00)" is never a day off.
    """
    _require_aware(instant)
    mine = instant.astimezone(ZoneInfo(reader_tz))
    theirs = instant.astimezone(ZoneInfo(other_tz))
    if mine.replace(tzinfo=None) == theirs.replace(tzinfo=None):
        return None
    if mine.date() == theirs.date():
        return f"{theirs:%H:%M}"
    return f"{WEEKDAYS[theirs.weekday()]} {theirs:%H:%M}"
