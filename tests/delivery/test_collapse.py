"""Collapsing overdue rows of one series: follow-ups keep the newest, nudges the soonest meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.render import Job
from bot.delivery.stats import DispatchStats
from bot.domain.timing import notice_due
from tests.kit.workspace import Bot

T0 = datetime(2027, 3, 16, 17, tzinfo=UTC)


def job(i: int, kind: str, meeting: datetime, recipient: str = "U1") -> Job:
    payload = {"meeting_id": i, "scheduled_at": meeting.isoformat()}
    return Job(i, "T1", kind, 7, recipient, payload, T0 - timedelta(hours=10 - i))


def test_collapse_rules(bot: Bot) -> None:
    dispatcher = Dispatcher(bot.runtime.services, owner="t")
    dropped: list[tuple[int, Any]] = []
    dispatcher._finish = lambda j, status, **kw: dropped.append((j.id, kw.get("error")))  # type: ignore[method-assign]
    soon, later = T0 + timedelta(hours=2), T0 + timedelta(hours=20)
    jobs = [
        job(1, "nudge", soon),
        job(2, "nudge", later),  # due later, for a later meeting
        job(3, "followup", T0 - timedelta(days=2)),
        job(4, "followup", T0 - timedelta(hours=3)),
        job(5, "nudge", soon, recipient="U2"),  # another person's nudge is untouched
        job(6, "notice", soon),
    ]
    stats = DispatchStats()
    kept = dispatcher._collapse(jobs, stats)
    assert sorted(j.id for j in kept) == [1, 4, 5, 6]
    assert sorted(dropped) == [
        (2, "collapsed into a sooner meeting's nudge"),
        (3, "collapsed into a newer message"),
    ]
    assert stats.collapsed == 2


def test_notice_waits_for_the_readers_morning_when_there_is_time() -> None:
    night_ny = datetime(2027, 3, 16, 6, 0, tzinfo=UTC)  # 02:00 in New York
    meeting = datetime(2027, 3, 17, 15, 0, tzinfo=UTC)
    assert notice_due(night_ny, "America/New_York", meeting) == datetime(
        2027, 3, 16, 12, 0, tzinfo=UTC
    )
    soon = night_ny + timedelta(hours=3)  # the meeting is before 08:00 there: tell them now
    assert notice_due(night_ny, "America/New_York", soon) == night_ny
    day_berlin = datetime(2027, 3, 16, 10, 0, tzinfo=UTC)
    assert notice_due(day_berlin, "Europe/Berlin", meeting) == day_berlin
