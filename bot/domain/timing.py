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


def nudge_due(
    meeting: datetime, lead: timedelta, reader_tz: str, not_before: datetime | None = None
) -> datetime:
    """When to nudge a participant: `lead` before the meeting, but never in their night.

    A due time between 21:00 and 08:00 in the reader's zone moves to 08:00 that morning when that
    still leaves 30 minutes before the meeting, otherwise back to 20:59 the evening before.
    With `not_before` (now, when a meeting is planned late) the nudge is never earlier than it:
    it goes out then, or at the next 08:00 if that still leaves 30 minutes, and only goes out in
    the night when there is no waking moment left before the meeting.
    """
    due = meeting - lead
    if not_before is not None and due < not_before:
        due = not_before
    later = _shift_into_day(due, reader_tz, forward=True)
    if later <= meeting - MIN_NOTICE:
        return later
    earlier = _shift_into_day(due, reader_tz, forward=False)
    return earlier if not_before is None else max(earlier, not_before)


def followup_due(meeting: datetime, reader_tz: str) -> datetime:
    """When to ask whether the meeting happened: two hours after it starts, in waking hours."""
    return _shift_into_day(meeting + FOLLOWUP_AFTER, reader_tz, forward=True)


def notice_due(now: datetime, reader_tz: str, before: datetime) -> datetime:
    """A short notice (a moved meeting): now, or at 08:00 if it is night for the reader and
    that is still 30 minutes before `before`."""
    later = _shift_into_day(now, reader_tz, forward=True)
    return later if later <= before - MIN_NOTICE else now
