"""When nudges and follow-ups are due: properties across many zones, DST changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.timing import FOLLOWUP_AFTER, MIN_NOTICE, followup_due, nudge_due

# Zones with odd offsets, 30-minute or 2-hour DST shifts, the date line, southern summers.
TRICKY = [
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Antarctica/Troll",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Apia",
    "Africa/Casablanca",
    "Asia/Tehran",
    "America/Santiago",
    "Europe/Dublin",
    "UTC",
]
ALL_ZONES = sorted(z for z in available_timezones() if not z.startswith(("posix", "right")))
ZONE = st.one_of(st.sampled_from(TRICKY), st.sampled_from(ALL_ZONES))
DAY = timedelta(days=1)
NIGHT = timedelta(hours=11)  # 21:00 to 08:00
DST = timedelta(hours=2)  # the largest DST shift in the database (Antarctica/Troll)
PROPERTY = settings(max_examples=200, deadline=None)


def _near_transitions() -> st.SearchStrategy[date]:
    """Dates a couple of days around the usual DST switches, north and south."""
    anchors = []
    for year in range(2026, 2031):
        for month, day in ((3, 8), (3, 14), (3, 25), (3, 31), (4, 1), (4, 7), (9, 25), (10, 1)):
            anchors.append(date(year, month, day))
        for month, day in ((10, 25), (10, 31), (11, 1), (11, 7)):
            anchors.append(date(year, month, day))
    return st.builds(
        lambda d, k: d + timedelta(days=k), st.sampled_from(anchors), st.integers(-3, 3)
    )


@st.composite
def meetings(draw: st.DrawFn) -> tuple[datetime, str]:
    """(meeting instant in UTC, reader zone): often at an awkward wall time for the reader."""
    tz = draw(ZONE)
    day = draw(st.one_of(_near_transitions(), st.dates(date(2000, 1, 1), date(2040, 12, 31))))
    wall = draw(st.times())
    local = datetime.combine(day, wall.replace(microsecond=0), ZoneInfo(tz))
    return local.astimezone(UTC), tz


def local_of(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def awake(instant: datetime, tz: str) -> bool:
    """08:00 <= local wall time < 21:00, read independently of the module under test."""
    return 8 <= local_of(instant, tz).hour < 21


LEADS = st.sampled_from([timedelta(hours=h) for h in (1, 2, 6, 12, 24, 36, 48)]) | st.builds(
    timedelta, minutes=st.integers(31, 72 * 60)
)


@PROPERTY
@given(meetings(), LEADS)
@example((datetime(2027, 3, 9, 14, 0, tzinfo=UTC), "America/New_York"), timedelta(hours=24))
@example((datetime(2027, 3, 9, 7, 20, tzinfo=UTC), "Europe/Berlin"), timedelta(hours=1))
def test_nudge_is_before_the_meeting_and_in_the_readers_day(
    meeting_tz: tuple[datetime, str], lead: timedelta
) -> None:
    meeting, tz = meeting_tz
    due = nudge_due(meeting, lead, tz)
    assert due.tzinfo is not None
    assert due < meeting
    assert meeting - due >= min(lead, MIN_NOTICE)
    # 20:59 the evening before always exists, so the reader's day is always reachable.
    assert awake(due, tz), f"{local_of(due, tz)} is in the night of {tz}"
    # Moved by at most one night (plus a DST shift), and only when the plain time was at night.
    assert abs(due - (meeting - lead)) <= NIGHT + DST
    if awake(meeting - lead, tz):
        assert due == meeting - lead


@PROPERTY
@given(meetings())
def test_daily_nudge_lands_within_a_day_and_a_night_before(
    meeting_tz: tuple[datetime, str],
) -> None:
    meeting, tz = meeting_tz
    due = nudge_due(meeting, timedelta(hours=24), tz)
    assert due < meeting
    assert meeting - due <= timedelta(hours=24 + 13)
    assert meeting - due >= MIN_NOTICE
    assert awake(due, tz)


def first_waking_moment(start: datetime, end: datetime, tz: str) -> datetime | None:
    """An independent search: the first quarter hour from `start` to `end` in the reader's day."""
    t = start
    while t <= end:
        if awake(t, tz):
            return t
        t += timedelta(minutes=15)
    return None


@PROPERTY
@given(meetings(), LEADS, st.integers(0, 48 * 60))
@example(  # planned at 02:00 in New York for 15:00 Berlin the same day
    (datetime(2027, 3, 9, 14, 0, tzinfo=UTC), "America/New_York"),
    timedelta(hours=24),
    12 * 60,
)
def test_a_late_planned_nudge_is_not_early_and_not_at_night(
    meeting_tz: tuple[datetime, str], lead: timedelta, minutes_before: int
) -> None:
    meeting, tz = meeting_tz
    now = meeting - timedelta(minutes=minutes_before)
    due = nudge_due(meeting, lead, tz, not_before=now)
    assert due >= now
    if now < meeting:
        assert due < meeting
    if now <= meeting - lead:
        assert due == nudge_due(meeting, lead, tz) or due == now
    if first_waking_moment(now, meeting - MIN_NOTICE, tz) is not None:
        assert awake(due, tz), f"{local_of(due, tz)} is in the night of {tz} (now {now})"


@PROPERTY
@given(meetings())
def test_followup_is_after_the_meeting_in_the_readers_day(meeting_tz: tuple[datetime, str]) -> None:
    meeting, tz = meeting_tz
    due = followup_due(meeting, tz)
    assert due >= meeting + FOLLOWUP_AFTER
    assert due - meeting <= FOLLOWUP_AFTER + NIGHT + DST
    assert awake(due, tz), f"{local_of(due, tz)} is in the night of {tz}"
    if awake(meeting + FOLLOWUP_AFTER, tz):
        assert due == meeting + FOLLOWUP_AFTER


@pytest.mark.parametrize(
    ("meeting_local", "tz", "lead_h", "expected_local"),
    [
        # 15:00 Berlin seen from New York the day before: plain 24 h lead, in the day.
        ("2027-03-09T09:00", "America/New_York", 24, "2027-03-08T09:00"),
        # A 06:00 meeting: 06:00 the day before is night, so 08:00 that morning.
        ("2027-03-10T06:00", "Pacific/Auckland", 24, "2027-03-09T08:00"),
        # 08:10 with a one-hour lead: 08:00 leaves only 10 minutes, so 20:59 the evening before.
        ("2027-03-10T08:10", "Europe/Berlin", 1, "2027-03-09T20:59"),
        # 23:00 with a one-hour lead: 22:00 is night, 08:00 the next day is after; evening 20:59.
        ("2027-03-10T23:00", "Asia/Tokyo", 1, "2027-03-10T20:59"),
        # 24 h across the US spring-forward (14 Mar, 02:00) reads an hour earlier on the wall.
        ("2027-03-14T12:00", "America/New_York", 24, "2027-03-13T11:00"),
    ],
)
def test_nudge_examples(meeting_local: str, tz: str, lead_h: int, expected_local: str) -> None:
    zone = ZoneInfo(tz)
    meeting = datetime.fromisoformat(meeting_local).replace(tzinfo=zone)
    due = nudge_due(meeting.astimezone(UTC), timedelta(hours=lead_h), tz)
    assert due.astimezone(zone).replace(tzinfo=None) == datetime.fromisoformat(expected_local)


@pytest.mark.parametrize(
    ("meeting_local", "tz", "expected_local"),
    [
        ("2027-03-09T15:00", "Europe/Berlin", "2027-03-09T17:00"),
        ("2027-03-09T19:30", "Europe/Berlin", "2027-03-10T08:00"),  # 21:30 -> next morning
        ("2027-03-10T01:00", "Asia/Tokyo", "2027-03-10T08:00"),  # 03:00 -> same morning
    ],
)
def test_followup_examples(meeting_local: str, tz: str, expected_local: str) -> None:
    zone = ZoneInfo(tz)
    meeting = datetime.fromisoformat(meeting_local).replace(tzinfo=zone)
    due = followup_due(meeting.astimezone(UTC), tz)
    assert due.astimezone(zone).replace(tzinfo=None) == datetime.fromisoformat(expected_local)


def test_results_are_aware_utc_instants() -> None:
    meeting = datetime(2027, 3, 10, 5, 0, tzinfo=UTC)
    assert nudge_due(meeting, timedelta(hours=24), "Asia/Tokyo").utcoffset() == timedelta(0)
    assert followup_due(meeting, "Pacific/Auckland").utcoffset() == timedelta(0)
