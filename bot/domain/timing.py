"""When each participant hears from the bot: lead times moved out of the reader's night."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_STARTS = time(8, 0)
DAY_ENDS = time(21, 0)
FOLLOWUP_AFTER = timedelta(hours=2)
FOLLOWUP_WINDOW = timedelta(days=3)
MIN_NOTICE = timedelta(minutes=30)


def _in_daytime(local: datetime) -> bool:
    return DAY_STARTS <= local.time().replace(tzinfo=None) < DAY_ENDS


def _shift_into_day(instant: datetime, tz: str, *, forward: bool) -> datetime:
    """The nearest waking-hours instant (08:00–21:00 local) forwards or backwards."""
    zone = ZoneInfo(tz)
    local = instant.astimezone(zone)
    if _in_daytime(local):
        return instant
    if forward:
        day = local.date() if local.time() < DAY_STARTS else local.date() + timedelta(days=1)
        target = datetime.combine(day, DAY_STARTS, zone)
    else:
        day = local.date() if local.time() >= DAY_ENDS else local.date() - timedelta(days=1)
        target = datetime.combine(day, DAY_ENDS, zone) - timedelta(minutes=1)
    return target.astimezone(instant.tzinfo)


def nudge_due(meeting: datetime, lead: timedelta, reader_tz: str) -> datetime:
    """When to nudge a participant: `lead` before the meeting, but never in their night.

    A due time between 21:00 and 08:00 in the reader's zone moves to 08:00 that morning when that
    still leaves 30 minutes before the meeting, otherwise back to 20:59 the evening before.
    """
    due = meeting - lead
    later = _shift_into_day(due, reader_tz, forward=True)
    if later <= meeting - MIN_NOTICE:
        return later
    return _shift_into_day(due, reader_tz, forward=False)


def followup_due(meeting: datetime, reader_tz: str) -> datetime:
    """When to ask whether the meeting happened: two hours after it starts, in waking hours."""
    return _shift_into_day(meeting + FOLLOWUP_AFTER, reader_tz, forward=True)
