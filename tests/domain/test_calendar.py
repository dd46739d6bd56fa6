"""The meeting-series .ics file, expanded by recurring-ical-events and compared with the planner."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, Event, Timezone

from bot.domain.calendar import (
    CONTENT_TYPE,
    Move,
    Pause,
    SeriesFile,
    series_calendar,
    series_description,
    series_from_plan,
    series_ics,
    series_problems,
    series_summary,
    series_uid,
    slack_home_link,
    stray_slots,
)
from bot.domain.plan import Plan
from bot.domain.schedule import Cadence, MeetingRule, MonthlyMode, occurrences

UTC_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago"]
MORE_ZONES = [
    *UTC_ZONES,
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",
    "America/St_Johns",
    "Europe/London",
    "Asia/Kolkata",
    "UTC",
]
STAMP = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
LINK = slack_home_link("T0TEAM", "A0APP")
GOAL_MARKER = "GOAL-MARKER-learn-rust-async-7f3a"


def weekly(
    first: date = date(2027, 3, 1),
    at: time = time(10),
    tz: str = "America/New_York",
    end: date | None = date(2027, 9, 1),
    cadence: Cadence = Cadence.WEEKLY,
    mode: MonthlyMode = MonthlyMode.WEEKDAY_POSITION,
) -> MeetingRule:
    return MeetingRule(cadence, first, at, tz, end, mode)


def series(rule: MeetingRule, **changes: Any) -> SeriesFile:
    base = SeriesFile(
        rule=rule,
        uid=series_uid("T0TEAM", 42, "install-secret"),
        sequence=1,
        summary=series_summary("Maya", "Omar"),
        stamp=STAMP,
        format="online",
        channels=("chat", "calls"),
        link=LINK,
    )
    return replace(base, **changes)


def prop(component: Component, name: str) -> Any:
    """A property of a parsed component (icalendar types it as a union of every value type)."""
    return component[name]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def expand(data: bytes, cutoff: datetime) -> list[Event]:
    """Every expanded occurrence starting at or before `cutoff`, in start order."""
    window = (datetime(2000, 1, 1, tzinfo=UTC), cutoff + timedelta(days=1))
    events = recurring_ical_events.of(parse(data)).between(*window)
    events = [e for e in events if utc_start(e) <= cutoff]
    return sorted(events, key=utc_start)


def utc_start(event: Event) -> datetime:
    start = event.start
    assert isinstance(start, datetime) and start.tzinfo is not None, start
    return start.astimezone(UTC)


def starts(data: bytes, cutoff: datetime) -> list[datetime]:
    return [utc_start(e) for e in expand(data, cutoff)]


def planned(rule: MeetingRule, cutoff: datetime) -> list[datetime]:
    return [o.astimezone(UTC) for o in occurrences(rule, until=cutoff)]


def six_months(rule: MeetingRule) -> datetime:
    return datetime.combine(rule.first_date + timedelta(days=183), time(0), UTC)


def vevents(cal: Calendar) -> list[Event]:
    return [c for c in cal.walk("VEVENT") if isinstance(c, Event)]


# -- the acceptance example (PROGRAMS.md C3, check 1) -------------------------------------------


def test_weekly_new_york_keeps_ten_local_while_utc_moves_at_dst():
    rule = weekly()
    data = series_ics(series(rule))
    got = starts(data, six_months(rule))
    assert got == planned(rule, six_months(rule))
    assert len(got) == 27  # 1 Mar .. 30 Aug, capped by the end date 1 Sep
    local = [g.astimezone(ZoneInfo(rule.tz)) for g in got]
    assert {(t.hour, t.minute) for t in local} == {(10, 0)}
    assert [g.hour for g in got if g.date() < date(2027, 3, 14)] == [15, 15]
    assert {g.hour for g in got if g.date() > date(2027, 3, 14)} == {14}


def test_file_is_well_formed_publish_calendar():
    data = series_ics(series(weekly()))
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line ends only
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    cal = parse(data)
    assert prop(cal, "VERSION") == "2.0"
    assert prop(cal, "METHOD") == "PUBLISH"
    assert prop(cal, "CALSCALE") == "GREGORIAN"
    assert str(prop(cal, "PRODID")).startswith("-//")
    [event] = vevents(cal)
    assert prop(event, "UID") == series_uid("T0TEAM", 42, "install-secret")
    assert prop(event, "SEQUENCE") == 1
    assert prop(event, "STATUS") == "CONFIRMED"
    assert prop(event, "DURATION").dt == timedelta(minutes=30)
    assert prop(event, "DTSTAMP").dt == STAMP
    assert prop(event, "SUMMARY") == "Mentorship: Maya ↔ Omar"
    assert prop(event, "URL") == LINK
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    assert CONTENT_TYPE == "text/calendar; charset=utf-8"


def test_dtstart_has_the_plan_zone_and_until_is_utc():
    data = series_ics(series(weekly()))
    text = data.decode()
    assert "DTSTART;TZID=America/New_York:20270301T100000\r\n" in text
    # UNTIL is the planner's last meeting (Mon 30 Aug 2027 10:00 EDT) in UTC form.
    assert "RRULE:FREQ=WEEKLY;UNTIL=20270830T140000Z;INTERVAL=1;BYDAY=MO\r\n" in text


def test_no_floating_times_and_a_vtimezone_for_every_tzid():
    rule = weekly(tz="Europe/Berlin", first=date(2027, 3, 7), at=time(2, 30))
    moved_slot = occurrences(rule, limit=3)[2]
    data = series_ics(
        series(
            rule,
            skipped=(occurrences(rule, limit=2)[1],),
            moved=(Move(moved_slot, moved_slot + timedelta(hours=30)),),
        )
    )
    checked = 0
    for line in unfolded(data, without_vtimezones=True):
        if re.match(r"(DTSTART|DTEND|EXDATE|RECURRENCE-ID|RDATE)[;:]", line):
            assert ";TZID=Europe/Berlin:" in line or line.endswith("Z"), line
            checked += 1
        if line.startswith("RRULE:"):
            assert re.search(r"UNTIL=\d{8}T\d{6}Z[;]", line), line
    assert checked == 4  # DTSTART, EXDATE, and the override's DTSTART and RECURRENCE-ID
    cal = parse(data)
    assert cal.get_missing_tzids() == set()
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/Berlin"]


def unfolded(data: bytes, *, without_vtimezones: bool = False) -> list[str]:
    """The file's content lines; VTIMEZONE onsets are local times by definition, so skippable."""
    text = data.decode().replace("\r\n ", "")
    if without_vtimezones:
        text = re.sub(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", "", text, flags=re.S)
    return text.split("\r\n")


@pytest.mark.parametrize("tz", MORE_ZONES)
def test_the_files_own_vtimezone_gives_the_planners_instants(tz):
    """A client that reads only our VTIMEZONE (not its own tz database) lands on the same times."""
    for at in (time(0, 30), time(1, 30), time(1, 45), time(2, 30), time(10)):
        rule = weekly(tz=tz, first=date(2027, 1, 3), at=at, end=date(2028, 12, 31))
        data = series_ics(series(rule))
        cal = parse(data)
        if tz == "UTC":  # a UTC plan is written in UTC form (…Z), which needs no VTIMEZONE
            assert cal.timezones == [] and b"DTSTART:20270103T" in data
            continue
        [vtimezone] = [t for t in cal.walk("VTIMEZONE") if isinstance(t, Timezone)]
        own = vtimezone.to_tz(lookup_tzid=False)
        for meeting in occurrences(rule):
            wall = rule_wall(rule, meeting)
            assert wall.replace(tzinfo=own).astimezone(UTC) == meeting.astimezone(UTC), wall


def rule_wall(rule: MeetingRule, meeting: datetime) -> datetime:
    """The naive wall time the rule wrote for `meeting` (a gap may have moved the meeting)."""
    zone = ZoneInfo(rule.tz)
    for day in (meeting.date(), meeting.date() - timedelta(days=1)):
        wall = datetime.combine(day, rule.local_time)
        if wall.replace(tzinfo=zone).astimezone(UTC) == meeting.astimezone(UTC):
            return wall
    raise AssertionError(f"no wall time for {meeting}")


# -- expansion equals the planner ---------------------------------------------------------------


CASES = [
    # (cadence, mode, first date, time): first dates just before a DST change in each zone
    (Cadence.WEEKLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 3, 1), time(10)),
    (Cadence.WEEKLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 9, 26), time(18, 45)),
    (Cadence.BIWEEKLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 3, 9), time(15)),
    (Cadence.BIWEEKLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 10, 17), time(0, 30)),
    (Cadence.MONTHLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 1, 12), time(15)),  # 2nd Tue
    (Cadence.MONTHLY, MonthlyMode.WEEKDAY_POSITION, date(2027, 1, 29), time(9)),  # last Fri
    (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH, date(2027, 1, 31), time(8)),
    (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH, date(2027, 8, 30), time(2, 30)),
    (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH, date(2027, 11, 29), time(12)),
    (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH, date(2027, 2, 14), time(23, 30)),
]


@pytest.mark.parametrize("tz", UTC_ZONES)
@pytest.mark.parametrize(("cadence", "mode", "first", "at"), CASES)
def test_expansion_equals_planner_over_six_months(tz, cadence, mode, first, at):
    rule = MeetingRule(cadence, first, at, tz, None, mode)
    data = series_ics(series(rule))
    cutoff = six_months(rule)
    assert starts(data, cutoff) == planned(rule, cutoff)
    ended = replace(rule, end_date=first + timedelta(days=120))
    data = series_ics(series(ended))
    assert starts(data, cutoff) == planned(ended, cutoff)


def test_berlin_weekly_across_the_march_change():
    rule = weekly(tz="Europe/Berlin", first=date(2027, 3, 16), at=time(15))
    got = starts(series_ics(series(rule)), datetime(2027, 4, 15, tzinfo=UTC))
    assert [g.hour for g in got] == [14, 14, 13, 13, 13]  # 28 Mar 2027: CET -> CEST


def test_monthly_second_tuesday_and_last_friday():
    second_tue = weekly(cadence=Cadence.MONTHLY, first=date(2027, 1, 12), end=date(2027, 6, 30))
    data = series_ics(series(second_tue))
    assert "BYDAY=2TU" in data.decode()
    got = [s.astimezone(ZoneInfo("America/New_York")).date() for s in starts(data, _far())]
    assert got == [date(2027, m, d) for m, d in ((1, 12), (2, 9), (3, 9), (4, 13), (5, 11), (6, 8))]
    last_fri = weekly(cadence=Cadence.MONTHLY, first=date(2027, 1, 29), end=date(2027, 5, 31))
    data = series_ics(series(last_fri))
    assert "BYDAY=-1FR" in data.decode()
    days = [s.astimezone(ZoneInfo("America/New_York")).day for s in starts(data, _far())]
    assert days == [29, 26, 26, 30, 28]


def _far() -> datetime:
    return datetime(2031, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "rrule_part", "expected_feb_2027", "expected_feb_2028", "expected_apr"),
    [
        (31, "BYMONTHDAY=-1", 28, 29, 30),
        (30, "BYMONTHDAY=28,29,30;BYSETPOS=-1", 28, 29, 30),
        (29, "BYMONTHDAY=28,29;BYSETPOS=-1", 28, 29, 29),
        (28, "BYMONTHDAY=28", 28, 28, 28),
    ],
)
def test_day_of_month_clamps_to_the_months_last_day_like_the_planner(
    day, rrule_part, expected_feb_2027, expected_feb_2028, expected_apr
):
    rule = weekly(
        cadence=Cadence.MONTHLY,
        mode=MonthlyMode.DAY_OF_MONTH,
        first=date(2027, 1, day),
        tz="Europe/Berlin",
        end=date(2028, 6, 1),
    )
    data = series_ics(series(rule))
    assert rrule_part + ";" in data.decode() or rrule_part + "\r\n" in data.decode()
    got = starts(data, _far())
    assert got == planned(rule, _far())
    days = {(d.year, d.month): d.day for d in (g.astimezone(ZoneInfo(rule.tz)) for g in got)}
    assert days[2027, 2] == expected_feb_2027
    assert days[2028, 2] == expected_feb_2028
    assert days[2027, 4] == expected_apr
    assert days[2027, 1] == day


def test_a_wall_time_in_the_spring_gap_lands_where_the_planner_puts_it():
    # Sunday 28 Mar 2027, 02:30 does not exist in Berlin; the planner means 03:30 CEST.
    rule = weekly(tz="Europe/Berlin", first=date(2027, 3, 21), at=time(2, 30), end=None)
    data = series_ics(series(rule))
    got = starts(data, datetime(2027, 4, 5, tzinfo=UTC))
    assert got == planned(rule, datetime(2027, 4, 5, tzinfo=UTC))
    assert got[1] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert "DTSTART;TZID=Europe/Berlin:20270321T023000" in data.decode()


@pytest.mark.parametrize(
    ("tz", "first", "at"),
    [
        ("Europe/Berlin", date(2027, 3, 28), time(2, 30)),
        ("America/New_York", date(2027, 3, 14), time(2, 0)),
        ("America/Santiago", date(2027, 9, 5), time(0, 30)),
        ("Australia/Sydney", date(2027, 10, 3), time(2, 15)),
    ],
)
@pytest.mark.parametrize("cadence", [Cadence.WEEKLY, Cadence.BIWEEKLY, Cadence.MONTHLY])
def test_a_first_meeting_inside_a_gap_keeps_the_wall_time_for_the_rest(tz, first, at, cadence):
    """DTSTART is the rule's wall time, not the moved-forward one, so later weeks keep it."""
    rule = MeetingRule(cadence, first, at, tz, None, MonthlyMode.DAY_OF_MONTH)
    data = series_ics(series(rule))
    cutoff = six_months(rule)
    got = starts(data, cutoff)
    assert got == planned(rule, cutoff)
    local = [g.astimezone(ZoneInfo(tz)) for g in got]
    assert local[0].time() != at and {t.time() for t in local[1:]} == {at}
    assert f"DTSTART;TZID={tz}:{first:%Y%m%d}T{at:%H%M%S}" in data.decode()


def test_skipping_paused_and_moving_a_gap_meeting_name_it_by_its_wall_time():
    """EXDATE and RECURRENCE-ID repeat the RRULE's own wall time, which every client can match."""
    rule = weekly(tz="Europe/Berlin", first=date(2027, 3, 14), at=time(2, 30), end=None)
    meetings = planned(rule, datetime(2027, 4, 30, tzinfo=UTC))
    gap = meetings[2]
    assert gap == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    cutoff = datetime(2027, 4, 30, tzinfo=UTC)
    for changes in (
        {"skipped": (gap,)},
        {"paused": (Pause(gap - timedelta(hours=1), gap + timedelta(hours=1)),)},
    ):
        data = series_ics(series(rule, **changes))
        assert "EXDATE;TZID=Europe/Berlin:20270328T023000" in data.decode()
        assert starts(data, cutoff) == [m for m in meetings if m != gap]
    moved_to = gap + timedelta(hours=8)
    data = series_ics(series(rule, moved=(Move(gap, moved_to),)))
    assert "RECURRENCE-ID;TZID=Europe/Berlin:20270328T023000" in data.decode()
    assert starts(data, cutoff) == sorted([*(m for m in meetings if m != gap), moved_to])


def test_an_ambiguous_wall_time_takes_the_first_instant_like_the_planner():
    rule = weekly(first=date(2027, 10, 31), at=time(1, 30), end=date(2027, 11, 30))  # NY fold 7 Nov
    got = starts(series_ics(series(rule)), _far())
    assert got == planned(rule, _far())
    assert datetime(2027, 11, 7, 5, 30, tzinfo=UTC) in got  # 01:30 EDT, not 01:30 EST


def test_santiago_midnight_gap():
    # Chile springs forward at 24:00 on Saturday 4 Sep 2027: Sunday 00:30 does not exist.
    rule = weekly(tz="America/Santiago", first=date(2027, 8, 29), at=time(0, 30), end=None)
    cutoff = datetime(2027, 10, 1, tzinfo=UTC)
    assert starts(series_ics(series(rule)), cutoff) == planned(rule, cutoff)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tz=st.sampled_from(MORE_ZONES),
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    kind=st.sampled_from(
        [
            (Cadence.WEEKLY, MonthlyMode.WEEKDAY_POSITION),
            (Cadence.BIWEEKLY, MonthlyMode.WEEKDAY_POSITION),
            (Cadence.MONTHLY, MonthlyMode.WEEKDAY_POSITION),
            (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH),
        ]
    ),
    length=st.one_of(st.none(), st.integers(0, 400)),
    skip_every=st.integers(2, 5),
)
def test_any_rule_expands_to_the_planners_meetings(
    tz, first, hour, minute, kind, length, skip_every
):
    cadence, mode = kind
    end = None if length is None else first + timedelta(days=length)
    rule = MeetingRule(cadence, first, time(hour, minute), tz, end, mode)
    cutoff = six_months(rule)
    meetings = planned(rule, cutoff)
    assert starts(series_ics(series(rule)), cutoff) == meetings
    skipped = tuple(meetings[1::skip_every])
    got = starts(series_ics(series(rule, skipped=skipped)), cutoff)
    assert got == [m for m in meetings if m not in skipped]


# -- changes: skip, pause, move, end -------------------------------------------------------------


def test_skipped_meetings_are_exdates_and_only_they_disappear():
    rule = weekly()
    meetings = planned(rule, _far())
    skipped = (meetings[2], meetings[5])
    data = series_ics(series(rule, skipped=skipped))
    assert starts(data, _far()) == [m for m in meetings if m not in skipped]
    assert "EXDATE;TZID=America/New_York:20270315T100000,20270405T100000" in data.decode()


def test_a_paused_span_removes_the_meetings_inside_it():
    rule = weekly()
    meetings = planned(rule, _far())
    pause = Pause(start=meetings[3] - timedelta(days=2), end=meetings[6])  # end is exclusive
    got = starts(series_ics(series(rule, paused=(pause,))), _far())
    assert got == meetings[:3] + meetings[6:]


def test_an_open_ended_pause_removes_the_rest_of_the_series():
    rule = weekly()
    meetings = planned(rule, _far())
    got = starts(series_ics(series(rule, paused=(Pause(start=meetings[4]),))), _far())
    assert got == meetings[:5]  # the meeting at the pause's own instant is kept, as in the bot


def test_a_moved_meeting_appears_at_the_new_time_and_not_the_old():
    rule = weekly()
    meetings = planned(rule, _far())
    slot, new = meetings[2], meetings[2] + timedelta(days=1, hours=3)
    data = series_ics(series(rule, moved=(Move(slot, new),)))
    got = starts(data, _far())
    assert slot not in got and new in got
    assert got == sorted([*meetings[:2], new, *meetings[3:]])
    overrides = [e for e in vevents(parse(data)) if "RECURRENCE-ID" in e]
    [override] = overrides
    assert prop(override, "RECURRENCE-ID").dt == slot.astimezone(ZoneInfo(rule.tz))
    assert str(prop(override, "RECURRENCE-ID").params["TZID"]) == rule.tz
    assert prop(override, "UID") == prop(vevents(parse(data))[0], "UID")
    assert prop(override, "SEQUENCE") == 1


def test_the_latest_move_of_a_slot_wins_and_a_skip_beats_a_move():
    rule = weekly()
    meetings = planned(rule, _far())
    first_try = Move(meetings[1], meetings[1] + timedelta(hours=2))
    second_try = Move(meetings[1], meetings[1] + timedelta(hours=5))
    got = starts(series_ics(series(rule, moved=(first_try, second_try))), _far())
    assert second_try.to in got and first_try.to not in got and meetings[1] not in got
    got = starts(series_ics(series(rule, moved=(first_try,), skipped=(meetings[1],))), _far())
    assert first_try.to not in got and meetings[1] not in got


def test_a_meeting_moved_into_the_second_of_two_ambiguous_hours_keeps_its_instant():
    rule = weekly(first=date(2027, 11, 1), at=time(10), end=date(2027, 12, 1))
    meetings = planned(rule, _far())
    second_0130 = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, the repeated hour
    data = series_ics(series(rule, moved=(Move(meetings[0], second_0130),)))
    assert second_0130 in starts(data, _far())
    assert "DTSTART:20271107T063000Z" in data.decode()


def test_slots_that_are_not_meetings_of_the_rule_are_left_out_and_reported():
    rule = weekly()
    meetings = planned(rule, _far())
    stray = meetings[1] + timedelta(hours=1)  # e.g. the replacement's time, not the series slot
    after_end = datetime(2028, 1, 3, 15, tzinfo=UTC)
    s = series(rule, skipped=(stray,), moved=(Move(after_end, after_end + timedelta(days=1)),))
    assert stray_slots(s) == (stray, after_end)
    data = series_ics(s)
    assert starts(data, _far()) == meetings
    assert "EXDATE" not in data.decode() and "RECURRENCE-ID" not in data.decode()


def test_uid_stays_and_sequence_rises_across_changes():
    rule = weekly()
    meetings = planned(rule, _far())
    versions = [
        series(rule, sequence=1),
        series(rule, sequence=2, skipped=(meetings[1],)),
        series(rule, sequence=3, skipped=(meetings[1],), paused=(Pause(meetings[3], None),)),
        series(replace(rule, local_time=time(11)), sequence=4),
        series(rule, sequence=5, ended=True),
    ]
    seen = [
        (str(prop(e, "UID")), int(prop(e, "SEQUENCE")))
        for v in versions
        for e in vevents(parse(series_ics(v)))
    ]
    assert {uid for uid, _ in seen} == {series_uid("T0TEAM", 42, "install-secret")}
    sequences = [seq for _, seq in seen]
    assert sequences == sorted(sequences) and sequences[-1] == 5


def test_an_ended_series_is_cancelled_with_a_higher_sequence():
    rule = weekly()
    meetings = planned(rule, _far())
    data = series_ics(
        series(rule, sequence=7, ended=True, moved=(Move(meetings[1], meetings[1] + timedelta(1)),))
    )
    cal = parse(data)
    assert prop(cal, "METHOD") == "CANCEL"
    assert {str(prop(e, "STATUS")) for e in vevents(cal)} == {"CANCELLED"}
    assert {int(prop(e, "SEQUENCE")) for e in vevents(cal)} == {7}
    assert {str(prop(e, "STATUS")) for e in expand(data, _far())} == {"CANCELLED"}
    assert "has ended" in str(prop(vevents(cal)[0], "DESCRIPTION"))


def test_alarm_is_optional_and_dropped_when_ended():
    rule = weekly()
    assert "BEGIN:VALARM" not in series_ics(series(rule)).decode()
    text = series_ics(series(rule, alarm_minutes=10)).decode()
    assert "BEGIN:VALARM" in text and "TRIGGER:-PT10M" in text
    assert "BEGIN:VALARM" not in series_ics(series(rule, alarm_minutes=10, ended=True)).decode()


# -- privacy, identity and validation ------------------------------------------------------------


def plan_with_goals() -> Plan:
    return Plan(
        mentor_id="U0MENTOR",
        mentee_id="U0MENTEE",
        mentee_goals=(GOAL_MARKER, "Lead a design review"),
        mentor_goals=(f"mentor {GOAL_MARKER}",),
        vision=f"Shared vision {GOAL_MARKER}",
        cadence="biweekly",
        monthly_mode="weekday_position",
        first_date=date(2027, 3, 2),
        meeting_time=time(15),
        tz="Europe/Berlin",
        format="hybrid",
        channels=("email", "chat"),
        end_date=date(2027, 9, 2),
        checkpoint_weeks=6,
        announce_channel=None,
        announce=False,
    )


def test_a_plans_file_carries_facts_and_no_goal_text():
    plan = plan_with_goals()
    s = series_from_plan(
        plan,
        uid=series_uid("T0TEAM", 42, "install-secret"),
        sequence=1,
        summary=series_summary("Maya", "Omar"),
        stamp=STAMP,
        link=LINK,
    )
    data = series_ics(s)
    assert GOAL_MARKER.encode() not in data
    flat = data.replace(b"\r\n ", b"").decode()
    for text in (*plan.mentee_goals, *plan.mentor_goals, plan.vision, "GOAL-MARKER"):
        assert text not in flat
    description = str(prop(vevents(parse(data))[0], "DESCRIPTION"))
    assert description == series_description(s)
    assert "every other Tuesday at 15:00 (Europe/Berlin)" in description
    assert "Format: Hybrid" in description
    assert "Channels: Email, Chat" in description
    assert LINK in description
    assert GOAL_MARKER not in description
    assert starts(data, _far()) == planned(s.rule, _far())


def test_text_can_only_enter_through_known_codes():
    s = series(weekly(), format=GOAL_MARKER, channels=("chat", GOAL_MARKER))
    problems = series_problems(s)
    assert any("format" in p for p in problems) and any("channel" in p for p in problems)
    with pytest.raises(ValueError):
        series_ics(s)


def test_uid_is_stable_secret_keyed_and_reveals_nothing():
    uid = series_uid("T0TEAM", 42, "install-secret", domain="bot.example.org")
    assert uid == series_uid("T0TEAM", 42, b"install-secret", domain="bot.example.org")
    assert re.fullmatch(r"pair-[0-9a-f]{32}@bot\.example\.org", uid)
    assert "T0TEAM" not in uid and "install-secret" not in uid
    others = {
        series_uid("T0TEAM", 43, "install-secret"),
        series_uid("T0OTHER", 42, "install-secret"),
        series_uid("T0TEAM", 42, "another-secret"),
    }
    assert uid.split("@")[0] not in {o.split("@")[0] for o in others} and len(others) == 3
    with pytest.raises(ValueError):
        series_uid("T0TEAM", 42, "")


@pytest.mark.parametrize(
    "changes",
    [
        {"uid": "has space"},
        {"sequence": -1},
        {"minutes": 0},
        {"link": "javascript:alert(1)"},
        {"stamp": datetime(2027, 1, 1)},
        {"skipped": (datetime(2027, 3, 8, 10),)},
        {"paused": (Pause(STAMP, STAMP),)},
        {"rule": weekly(tz="Mars/Olympus")},
        {"rule": weekly(end=None), "paused": (Pause(STAMP),)},
        {"alarm_minutes": -5},
    ],
)
def test_unusable_input_is_refused(changes):
    changes = dict(changes)
    s = series(changes.pop("rule", weekly()), **changes)
    assert series_problems(s)
    with pytest.raises(ValueError):
        series_calendar(s)


def test_output_is_deterministic():
    rule = weekly()
    meetings = planned(rule, _far())
    moves = (Move(meetings[4], meetings[4] + timedelta(hours=1)), Move(meetings[1], meetings[2]))
    a = series_ics(series(rule, skipped=(meetings[6], meetings[3]), moved=moves))
    b = series_ics(series(rule, skipped=(meetings[3], meetings[6]), moved=moves[::-1]))
    assert a == b


def test_a_single_meeting_series_and_a_utc_plan():
    one = weekly(end=date(2027, 3, 1))
    assert starts(series_ics(series(one)), _far()) == planned(one, _far())
    utc = weekly(tz="UTC", end=date(2027, 5, 1))
    assert starts(series_ics(series(utc)), _far()) == planned(utc, _far())
