"""Meeting occurrences and milestones, checked against an independent date-arithmetic oracle."""

from __future__ import annotations

import calendar
import time as perf
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    Cadence,
    MeetingRule,
    MilestoneKind,
    MilestonePlan,
    MonthlyMode,
    checkpoint_label,
    milestone_plan,
    next_occurrence,
    occurrences,
    occurrences_utc,
    resolve_local,
    rule_description,
    validate_rule,
)

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "UTC",
]
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KINDS = [
    (Cadence.WEEKLY, MonthlyMode.WEEKDAY_POSITION),
    (Cadence.BIWEEKLY, MonthlyMode.WEEKDAY_POSITION),
    (Cadence.MONTHLY, MonthlyMode.WEEKDAY_POSITION),
    (Cadence.MONTHLY, MonthlyMode.DAY_OF_MONTH),
]
PROPERTY = settings(max_examples=150, deadline=None)

# -- oracle: plain date arithmetic and an independent reading of "wall time in a zone" --


def month_day(rule: MeetingRule, year: int, month: int) -> int:
    """The day of the meeting in a month, by the rule's monthly mode."""
    length = calendar.monthrange(year, month)[1]
    first = rule.first_date
    if rule.monthly_mode is MonthlyMode.DAY_OF_MONTH:
        return min(first.day, length)
    first_same_weekday = 1 + (first.weekday() - date(year, month, 1).weekday()) % 7
    position = (first.day - 1) // 7
    if position == 4:  # a fifth weekday means "the last one"
        return first_same_weekday + 7 * ((length - first_same_weekday) // 7)
    return first_same_weekday + 7 * position


def oracle_dates(rule: MeetingRule, count: int) -> list[date]:
    """The first `count` planned local dates (fewer when end_date comes first)."""
    found: list[date] = []
    year, month = rule.first_date.year, rule.first_date.month
    while len(found) < count:
        if rule.cadence is Cadence.MONTHLY:
            d = date(year, month, month_day(rule, year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            step = 14 if rule.cadence is Cadence.BIWEEKLY else 7
            d = rule.first_date + timedelta(days=step * len(found))
        if rule.end_date is not None and d > rule.end_date:
            break
        found.append(d)
    return found


def offset_of(wall: datetime, zone: ZoneInfo, fold: int = 0) -> timedelta:
    """The UTC offset that `zone` gives a naive wall time read with `fold`."""
    offset = wall.replace(tzinfo=zone, fold=fold).utcoffset()
    assert offset is not None
    return offset


def oracle_instant(day: date, local_time: time, zone: ZoneInfo) -> datetime:
    """Earliest UTC instant showing that wall time; in a gap, read it with the pre-gap offset."""
    wall = datetime.combine(day, local_time)
    readings = [(wall - offset_of(wall, zone, f)).replace(tzinfo=UTC) for f in (0, 1)]
    real = [r for r in readings if r.astimezone(zone).replace(tzinfo=None) == wall]
    if real:
        return min(real)
    return (wall - offset_of(wall - timedelta(hours=6), zone)).replace(tzinfo=UTC)


def assert_wall_time(occ: datetime, day: date, local_time: time, zone: ZoneInfo) -> None:
    """At the planned wall time, or moved forward by exactly the gap when that time is missing."""
    assert occ.tzinfo is zone
    assert occ.date() == day
    wall = datetime.combine(day, local_time)
    shift = occ.replace(tzinfo=None) - wall
    if shift:
        after = occ.utcoffset()
        before = (occ.astimezone(UTC) - shift).astimezone(zone).utcoffset()
        assert after is not None and before is not None
        assert timedelta(0) < shift == after - before <= timedelta(hours=2)
        for fold in (0, 1):  # the planned wall time really does not exist that day
            trip = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone)
            assert trip.replace(tzinfo=None) != wall
    else:
        assert occ.astimezone(UTC) == oracle_instant(day, local_time, zone)


@cache
def transitions(tz: str) -> list[tuple[datetime, timedelta, timedelta]]:
    """UTC instants (to the minute) in 2020-2035 where the zone's offset changes."""
    zone = ZoneInfo(tz)

    def offset(minute: int) -> timedelta:
        value = (datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)).astimezone(zone)
        return value.utcoffset() or timedelta(0)

    found = []
    for day in range(1, 16 * 366):
        lo, hi = (day - 1) * 1440, day * 1440
        if offset(lo) != offset(hi):
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=hi)
            found.append((start, offset(lo), offset(hi)))
    return found


# -- strategies --

local_times = st.one_of(
    st.sampled_from([time(0, 0), time(1, 30), time(2, 0), time(2, 15), time(2, 30), time(2, 45)]),
    st.sampled_from([time(3, 0), time(3, 15), time(15, 0), time(23, 59)]),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)


@st.composite
def rules(draw: st.DrawFn, open_ended: bool = False) -> MeetingRule:
    cadence, mode = draw(st.sampled_from(KINDS))
    first = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
    end = None
    if not open_ended and draw(st.booleans()):
        end = first + timedelta(days=draw(st.integers(0, 900)))
    tz = draw(st.sampled_from(ZONES))
    return MeetingRule(cadence, first, draw(local_times), tz, end, mode)


# -- properties --


@PROPERTY
@given(rules())
def test_series_follows_the_rule(rule: MeetingRule) -> None:
    zone = ZoneInfo(rule.tz)
    found = occurrences(rule, limit=30)
    expected = oracle_dates(rule, 30)
    assert [o.date() for o in found] == expected
    assert found[0].date() == rule.first_date
    for occ, day in zip(found, expected, strict=True):
        assert_wall_time(occ, day, rule.local_time, zone)
        assert rule.end_date is None or occ.date() <= rule.end_date
    gaps = {(b.date() - a.date()).days for a, b in pairwise(found)}
    if rule.cadence is Cadence.MONTHLY:
        months = [o.year * 12 + o.month for o in found]
        assert months == list(range(months[0], months[0] + len(months)))
        for occ in found:
            assert occ.day == month_day(rule, occ.year, occ.month)
            if rule.monthly_mode is MonthlyMode.WEEKDAY_POSITION:
                assert occ.weekday() == rule.first_date.weekday()
    else:
        assert gaps <= {14 if rule.cadence is Cadence.BIWEEKLY else 7}
    assert [o.astimezone(UTC) for o in found] == sorted(o.astimezone(UTC) for o in found)


@PROPERTY
@given(
    rules(),
    st.integers(-60, 10 * 366),
    st.integers(0, 1439),
    st.sampled_from(ZONES),
    st.integers(0, 120),
    st.integers(1, 8),
)
def test_after_until_limit_window(
    rule: MeetingRule, days: int, minute: int, bound_tz: str, span: int, limit: int
) -> None:
    zone = ZoneInfo(rule.tz)
    start = datetime.combine(rule.first_date, time(), ZoneInfo(bound_tz))
    after = start + timedelta(days=days, minutes=minute)
    until = after + timedelta(days=span)
    got = occurrences(rule, after=after, until=until, limit=limit)
    n = 12 + (days + span) // 7
    instants = [oracle_instant(d, rule.local_time, zone) for d in oracle_dates(rule, n)]
    assert [o.astimezone(UTC) for o in got] == [i for i in instants if after < i <= until][:limit]
    assert all(o.tzinfo is zone for o in got)
    if rule.cadence is Cadence.BIWEEKLY:  # phase from first_date, however far ahead
        assert all((o.date() - rule.first_date).days % 14 == 0 for o in got)
    following = next_occurrence(rule, after)
    later = [i for i in instants if i > after]
    if rule.end_date is None or later:
        assert following is not None and following.astimezone(UTC) == later[0]
    else:
        assert following is None


@st.composite
def transition_rules(draw: st.DrawFn) -> MeetingRule:
    """A rule whose first meeting sits inside a DST gap or fold of its zone."""
    tz = draw(
        st.sampled_from(
            ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"]
        )
    )
    instant, before, after = draw(st.sampled_from(transitions(tz)))
    low, high = sorted([instant + before, instant + after])  # the gap or fold in local wall time
    minutes = int((high - low).total_seconds() // 60)
    wall = (low + timedelta(minutes=draw(st.integers(0, minutes - 1)))).replace(tzinfo=None)
    cadence, mode = draw(st.sampled_from(KINDS))
    return MeetingRule(cadence, wall.date(), wall.time(), tz, None, mode)


@PROPERTY
@given(transition_rules())
def test_gap_and_fold_on_the_first_meeting(rule: MeetingRule) -> None:
    zone = ZoneInfo(rule.tz)
    found = occurrences(rule, limit=14)
    assert [o.date() for o in found] == oracle_dates(rule, 14)
    for occ in found:
        assert_wall_time(occ, occ.date(), rule.local_time, zone)
        assert occ.fold == 0


def test_transitions_are_found() -> None:
    assert len(transitions("Europe/Berlin")) == 32
    assert {a - b for _, b, a in transitions("Australia/Lord_Howe")} == {
        timedelta(minutes=30),
        timedelta(minutes=-30),
    }
    assert transitions("Asia/Kolkata") == transitions("America/Sao_Paulo") == []


def test_five_years_ahead_is_fast() -> None:
    rule = MeetingRule(Cadence.WEEKLY, date(2026, 1, 6), time(15), "Europe/Berlin", None)
    after = datetime(2031, 6, 1, tzinfo=UTC)
    occurrences(rule, after=after, limit=4)
    timings = []
    for _ in range(5):
        t0 = perf.perf_counter()
        occurrences(rule, after=after, limit=4)
        timings.append(perf.perf_counter() - t0)
    assert min(timings) < 0.005


# -- explicit examples --


def weekly(first: date, at: time, tz: str, end: date | None = None) -> MeetingRule:
    return MeetingRule(Cadence.WEEKLY, first, at, tz, end)


def test_berlin_tuesday_keeps_15_00_across_both_changes() -> None:
    rule = weekly(date(2027, 3, 16), time(15), "Europe/Berlin", date(2027, 11, 9))
    found = {o.date(): o for o in occurrences(rule)}
    assert all(o.time() == time(15) for o in found.values())
    utc_hours = {d: found[d].astimezone(UTC).hour for d in found}
    assert utc_hours[date(2027, 3, 23)] == 14
    assert utc_hours[date(2027, 3, 30)] == 13
    assert utc_hours[date(2027, 10, 26)] == 13
    assert utc_hours[date(2027, 11, 2)] == 14
    assert max(found) == date(2027, 11, 9)


def test_new_york_tuesday_keeps_15_00_across_both_changes() -> None:
    rule = weekly(date(2027, 3, 9), time(15), "America/New_York")
    got = occurrences_utc(rule, until=datetime(2027, 11, 10, tzinfo=UTC))
    by_date = {o.date(): o.hour for o in got}
    assert by_date[date(2027, 3, 9)] == 20
    assert by_date[date(2027, 3, 16)] == 19
    assert by_date[date(2027, 11, 2)] == 19
    assert by_date[date(2027, 11, 9)] == 20
    assert all(o.tzinfo is UTC for o in got)


def test_berlin_02_30_on_spring_forward_day_moves_to_03_30() -> None:
    rule = weekly(date(2027, 3, 21), time(2, 30), "Europe/Berlin")
    first, gap_day, after = occurrences(rule, limit=3)
    assert first == datetime(2027, 3, 21, 2, 30, tzinfo=BERLIN)
    assert (gap_day.date(), gap_day.time()) == (date(2027, 3, 28), time(3, 30))
    assert gap_day.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert after.time() == time(2, 30) and after.astimezone(UTC).hour == 0
    assert resolve_local(date(2027, 3, 28), time(2, 30), "Europe/Berlin") == gap_day


def test_new_york_01_30_on_fall_back_day_is_the_first_instant() -> None:
    rule = weekly(date(2027, 10, 31), time(1, 30), "America/New_York")
    fall_back = occurrences(rule, limit=2)[1]
    assert fall_back.replace(tzinfo=None) == datetime(2027, 11, 7, 1, 30)
    assert fall_back.fold == 0
    assert fall_back.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_bounds_compare_instants_not_wall_clocks() -> None:
    rule = weekly(date(2027, 10, 31), time(1, 30), "America/New_York")
    # 01:15 on the second pass (EST, 06:15 UTC) is after the 01:30 EDT meeting (05:30 UTC).
    later_same_wall = datetime(2027, 11, 7, 1, 15, fold=1, tzinfo=NEW_YORK)
    nxt = next_occurrence(rule, later_same_wall)
    assert nxt is not None and nxt.date() == date(2027, 11, 14)
    until = datetime(2027, 11, 7, 1, 15, fold=1, tzinfo=NEW_YORK)
    assert [o.date() for o in occurrences(rule, until=until)][-1] == date(2027, 11, 7)
    meeting = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert next_occurrence(rule, meeting) == datetime(2027, 11, 14, 1, 30, tzinfo=NEW_YORK)


def test_day_31_uses_each_months_last_day() -> None:
    rule = MeetingRule(
        Cadence.MONTHLY, date(2027, 1, 31), time(9), "UTC", None, MonthlyMode.DAY_OF_MONTH
    )
    got = [o.date() for o in occurrences(rule, limit=14)]
    assert got[:4] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert got[13] == date(2028, 2, 29)


def test_fifth_tuesday_means_last_tuesday() -> None:
    rule = MeetingRule(Cadence.MONTHLY, date(2027, 3, 30), time(10), "Europe/Berlin", None)
    got = [o.date() for o in occurrences(rule, limit=4)]
    assert got == [date(2027, 3, 30), date(2027, 4, 27), date(2027, 5, 25), date(2027, 6, 29)]
    assert rule_description(rule) == "the last Tuesday of each month at 10:00 (Europe/Berlin)"


def test_series_ends_on_end_date() -> None:
    rule = weekly(date(2027, 1, 5), time(15), "Europe/Berlin", date(2027, 1, 19))
    assert [o.day for o in occurrences(rule)] == [5, 12, 19]
    assert next_occurrence(rule, datetime(2027, 1, 19, 15, tzinfo=BERLIN)) is None
    assert occurrences(rule, limit=0) == []


def test_descriptions() -> None:
    first, at, tz = date(2027, 3, 9), time(15), "Europe/Berlin"
    assert rule_description(weekly(first, at, tz)) == "every Tuesday at 15:00 (Europe/Berlin)"
    biweekly = MeetingRule(Cadence.BIWEEKLY, first, at, tz, None)
    assert rule_description(biweekly) == "every other Tuesday at 15:00 (Europe/Berlin)"
    monthly = MeetingRule(Cadence.MONTHLY, first, at, tz, None)
    assert rule_description(monthly) == "the second Tuesday of each month at 15:00 (Europe/Berlin)"
    day31 = MeetingRule(Cadence.MONTHLY, date(2027, 1, 31), at, tz, None, MonthlyMode.DAY_OF_MONTH)
    assert (
        rule_description(day31)
        == "on day 31 of each month (or the month's last day) at 15:00 (Europe/Berlin)"
    )
    day9 = MeetingRule(Cadence.MONTHLY, first, at, tz, None, MonthlyMode.DAY_OF_MONTH)
    assert rule_description(day9) == "on day 9 of each month at 15:00 (Europe/Berlin)"


def test_validation() -> None:
    good = weekly(date(2027, 3, 9), time(15), "Europe/Berlin", date(2027, 6, 1))
    assert validate_rule(good) == []
    bad_zone = weekly(date(2027, 3, 9), time(15), "Mars/Olympus_Mons")
    (problem,) = validate_rule(bad_zone)
    assert "Mars/Olympus_Mons" in problem
    backwards = weekly(date(2027, 3, 9), time(15), "UTC", date(2027, 3, 8))
    (problem,) = validate_rule(backwards)
    assert "2027-03-08" in problem and "2027-03-09" in problem
    assert occurrences(backwards) == []


def test_bad_arguments() -> None:
    rule = weekly(date(2027, 3, 9), time(15), "UTC")
    with pytest.raises(ValueError, match="open-ended"):
        occurrences(rule)
    with pytest.raises(ValueError, match="aware"):
        occurrences(rule, after=datetime(2027, 3, 1), limit=1)
    with pytest.raises(ValueError, match="negative"):
        occurrences(rule, limit=-1)


# -- milestones --


def test_milestone_plan_example() -> None:
    first = date(2027, 1, 4)
    plan = milestone_plan(first, first + timedelta(weeks=12), 4)
    assert plan == [
        MilestonePlan(MilestoneKind.KICKOFF, 0, first),
        MilestonePlan(MilestoneKind.CHECKPOINT, 1, date(2027, 2, 1)),
        MilestonePlan(MilestoneKind.CHECKPOINT, 2, date(2027, 3, 1)),
        MilestonePlan(MilestoneKind.FINAL_REVIEW, 0, date(2027, 3, 29)),
    ]


def test_milestone_plan_edges() -> None:
    first = date(2027, 1, 4)
    assert [m.kind for m in milestone_plan(first, first, 2)] == [
        MilestoneKind.KICKOFF,
        MilestoneKind.FINAL_REVIEW,
    ]
    # a checkpoint 7 days before the final review is dropped; 8 days before is kept
    assert len(milestone_plan(first, first + timedelta(days=14), 1)) == 2
    assert len(milestone_plan(first, first + timedelta(days=15), 1)) == 3
    for bad in (0, -1):
        with pytest.raises(ValueError):
            milestone_plan(first, first + timedelta(days=90), bad)
    with pytest.raises(ValueError):
        milestone_plan(first, first - timedelta(days=1), 2)


@PROPERTY
@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 800), st.integers(1, 12))
def test_milestone_plan_properties(first: date, days: int, every: int) -> None:
    end = first + timedelta(days=days)
    plan = milestone_plan(first, end, every)
    assert plan[0] == MilestonePlan(MilestoneKind.KICKOFF, 0, first)
    assert plan[-1] == MilestonePlan(MilestoneKind.FINAL_REVIEW, 0, end)
    checkpoints = plan[1:-1]
    assert all(c.kind is MilestoneKind.CHECKPOINT for c in checkpoints)
    assert [c.index for c in checkpoints] == list(range(1, len(checkpoints) + 1))
    step = timedelta(weeks=every)
    assert [c.due_date for c in checkpoints] == [first + step * c.index for c in checkpoints]
    assert all(end - c.due_date > timedelta(days=7) for c in checkpoints)
    next_due = first + step * (len(checkpoints) + 1)
    assert end - next_due <= timedelta(days=7)  # nothing that should be there is missing


def test_checkpoint_labels() -> None:
    assert checkpoint_label(1, 3) == "Checkpoint 1 of 3"
    assert checkpoint_label(3, 3) == "Checkpoint 3 of 3"
    assert checkpoint_label(1, 1) == "the halfway checkpoint"
    for index, total in ((0, 3), (4, 3), (1, 0)):
        with pytest.raises(ValueError):
            checkpoint_label(index, total)
