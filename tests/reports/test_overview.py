"""The admin overview of a large workspace comes from its snapshot (one row), kept fresh by the
heartbeat; a small workspace is counted live on every Home."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import ManualClock
from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher
from bot.domain.plan import people_key
from bot.heartbeat import run_tick
from bot.reports import overview as ov
from bot.reports.totals import ProgramTotals, program_totals, totals_of
from bot.reports.view import overview_blocks
from storage.models import ALL_STATUSES, Pair
from storage.overview_models import OverviewSnapshot
from storage.workspaces import purge_team
from tests.kit.builders import report
from tests.kit.cohorts import services_for
from tests.kit.home import command
from tests.kit.workspace import KAI, TEAM, Bot

NOW = datetime(2027, 4, 1, 9, 30, tzinfo=UTC)


def _add_pairs(
    sessions: sessionmaker[Session], first: int, count: int, status: str = "active"
) -> None:
    with sessions.begin() as s:
        for n in range(first, first + count):
            mentor, mentee = f"U0M{n:05d}", f"U0E{n:05d}"
            s.add(Pair(
                team_id=TEAM, mentor_id=mentor, mentee_id=mentee,
                people_key=people_key(mentor, mentee), creator_id=mentor, status=status,
                start_date=date(2027, 1, 4), end_date=date(2027, 7, 4), tz="Europe/Berlin",
                cadence="weekly", meeting_time=time(10), format="online", channels="chat",
                checkpoint_weeks=4, created_at=NOW, updated_at=NOW,
            ))  # fmt: skip


def _snapshots(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(OverviewSnapshot)) or 0)


@pytest.fixture
def services(sessions: sessionmaker[Session], db_url: str) -> Services:
    return services_for(sessions, db_url, ManualClock(NOW))


def _overview(services: Services) -> tuple[int, datetime]:
    with services.sessions() as s:
        t = ov.overview(services, s, TEAM, services.clock.now())
    return t.pairs, t.generated_at


def test_a_small_workspace_is_counted_live(
    services: Services, sessions: sessionmaker[Session]
) -> None:
    _add_pairs(sessions, 0, 3)
    assert _overview(services) == (3, NOW)
    _add_pairs(sessions, 3, 1)
    assert _overview(services) == (4, NOW)
    assert _snapshots(sessions) == 0


def test_a_large_workspace_reads_its_snapshot_until_the_heartbeat_recounts(
    services: Services, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ov, "SNAPSHOT_FROM", 5)
    clock = services.clock
    assert isinstance(clock, ManualClock)
    _add_pairs(sessions, 0, 6)
    assert _overview(services) == (6, NOW)  # counted, and kept
    assert _snapshots(sessions) == 1
    _add_pairs(sessions, 6, 2, status="paused")
    clock.advance(timedelta(minutes=1))
    assert _overview(services) == (6, NOW)  # the snapshot, not a count
    assert ov.refresh_overviews(services) == 0  # not old enough yet
    clock.advance(ov.REFRESH_AFTER)
    assert ov.refresh_overviews(services) == 1
    recounted = clock.now()
    with services.sessions() as s:
        fresh = ov.overview(services, s, TEAM, recounted)
        assert fresh == program_totals(s, TEAM, recounted)  # the snapshot says what a count says
    assert (fresh.pairs, fresh.count("paused")) == (8, 2)
    # No heartbeat for longer than MAX_AGE: the Home counts again.
    _add_pairs(sessions, 8, 1)
    clock.advance(ov.MAX_AGE + timedelta(seconds=1))
    assert _overview(services) == (9, clock.now())


def test_the_heartbeat_recounts_and_a_shrunk_workspace_goes_back_to_live_counts(
    services: Services, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ov, "SNAPSHOT_FROM", 5)
    clock = services.clock
    assert isinstance(clock, ManualClock)
    _add_pairs(sessions, 0, 5)
    _overview(services)
    _add_pairs(sessions, 5, 1)
    clock.advance(ov.REFRESH_AFTER + timedelta(seconds=1))
    run_tick(services, Dispatcher(services, owner="t"), plan=False)  # a wake: sends only
    assert _overview(services)[0] == 5
    run_tick(services, Dispatcher(services, owner="t"))
    assert _overview(services)[0] == 6
    with sessions.begin() as s:
        s.query(Pair).filter(Pair.mentor_id >= "U0M00002").delete()
    clock.advance(ov.REFRESH_AFTER + timedelta(seconds=1))
    assert ov.refresh_overviews(services) == 1
    assert _snapshots(sessions) == 0
    assert _overview(services)[0] == 2


def test_purging_a_workspace_removes_its_snapshot(
    services: Services, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ov, "SNAPSHOT_FROM", 1)
    _add_pairs(sessions, 0, 2)
    _overview(services)
    with sessions.begin() as s:
        assert purge_team(s, TEAM)["overview_snapshots"] == 1
    assert _snapshots(sessions) == 0


@settings(max_examples=40, deadline=None)
@given(st.data(), st.integers(0, 20))
def test_a_snapshot_reads_back_as_it_was_written(data: st.DataObject, count: int) -> None:
    totals = totals_of(report(data, count))
    back = ov.from_json(ov.to_json(totals))
    assert back == totals
    assert overview_blocks(back) == overview_blocks(totals)


def test_the_home_says_when_a_snapshot_was_counted() -> None:
    counted = datetime(2027, 4, 1, 7, 5, tzinfo=UTC)
    blocks = [b.to_dict() for b in overview_blocks(totals_of_empty(), counted)]
    text = blocks[-1]["text"]["text"]
    assert (
        f"<!date^{int(counted.timestamp())}^{{date_short_pretty}} at {{time}}|2027-04-01 07:05 UTC>"
        in text
    )
    assert "recounted every few minutes" in text
    assert "Counted" not in str([b.to_dict() for b in overview_blocks(totals_of_empty())])


def totals_of_empty() -> ProgramTotals:
    return ProgramTotals(TEAM, NOW, (0,) * len(ALL_STATUSES), 0, 0, 0, 0, 0, 0, 0, 0, (), ())


def test_the_report_command_of_a_large_workspace_reads_the_homes_snapshot(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `/mentorship report` shows what the admin Home shows: in a workspace of thousands of
    # pairs (here 5), the snapshot, saying when it was counted; the CSV still counts live.
    monkeypatch.setattr(ov, "SNAPSHOT_FROM", 5)
    _add_pairs(bot.sessions, 0, 6)
    first = command(bot, KAI, "report")  # Kai is a workspace admin
    assert "*Paused* / 0" in first and "Counted" not in first  # counted now, and kept
    _add_pairs(bot.sessions, 6, 2, status="paused")
    bot.clock.advance(timedelta(minutes=2))
    later = command(bot, KAI, "report")
    assert "*Paused* / 0" in later and "Counted" in later and "recounted every few" in later
    # The heartbeat's recount: the command shows the new pairs.
    bot.clock.advance(ov.REFRESH_AFTER)
    assert ov.refresh_overviews(bot.runtime.services) == 1
    assert "*Paused* / 2" in command(bot, KAI, "report")
