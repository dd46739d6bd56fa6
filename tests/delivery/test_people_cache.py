"""Scheduled messages render from the people cache whatever its age: `users.info` only for
someone never seen, or to refresh a stale entry while the per-process budget lasts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.people import RefreshBudget
from storage.models import Person
from storage.people import get_person
from tests.kit.scenario import Timeline, at, plan, start
from tests.kit.workspace import MAYA, OMAR, TEAM, Bot, wait_for

BERLIN = "Europe/Berlin"
INFO = "users.info"


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_allows_a_burst_then_its_rate_per_workspace() -> None:
    t = FakeTime()
    budget = RefreshBudget(per_minute=60, burst=3, monotonic=t)
    assert [budget.take("T1") for _ in range(4)] == [True, True, True, False]
    assert budget.take("T2")  # another workspace has its own bucket
    t.now += 1.0  # one a second
    assert budget.take("T1") and not budget.take("T1")
    t.now += 100.0
    assert [budget.take("T1") for _ in range(4)] == [True, True, True, False]  # never over burst


def test_a_429_holds_the_budget_for_retry_after() -> None:
    t = FakeTime()
    budget = RefreshBudget(per_minute=60, burst=3, monotonic=t)
    budget.hold("T1", 30)
    t.now += 29.5
    assert not budget.take("T1")
    t.now += 1.5
    assert budget.take("T1")


def _week_later(bot: Bot, budget: RefreshBudget) -> Timeline:
    """Omar and Maya's plan, then the clock at their first nudge a week later (cache stale)."""
    start(bot, OMAR, plan())
    timeline = Timeline(bot)
    timeline.tick()  # plan summaries
    bot.dispatcher = Dispatcher(bot.runtime.services, owner="test-dispatcher")
    bot.dispatcher.people_budget = budget
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    return timeline


def _person(bot: Bot, user_id: str) -> Person:
    with bot.sessions() as s:
        person = get_person(s, TEAM, user_id)
    assert person is not None
    return person


def test_a_stale_cache_is_used_without_asking_slack_when_the_budget_is_spent(bot: Bot) -> None:
    tl = _week_later(bot, RefreshBudget(burst=0))
    assert bot.clock.now() - _person(bot, MAYA).refreshed_at > timedelta(days=6)
    calls = len(bot.standin.calls_to(INFO))
    tl.tick()
    assert len(bot.standin.calls_to(INFO)) == calls  # no users.info at all
    [to_omar] = tl.to(OMAR, "nudge")
    [to_maya] = tl.to(MAYA, "nudge")
    assert "*Maya*" in to_omar.text and "*Omar*" in to_maya.text
    assert to_maya.fallback == "Tue 9 Mar at 09:00"  # in Maya's cached zone, New York


def test_stale_entries_are_refreshed_while_the_budget_lasts(bot: Bot) -> None:
    tl = _week_later(bot, RefreshBudget())
    # Maya moved to Lisbon and the bot missed the user_change event.
    bot.standin.set_user(MAYA, tz="Europe/Lisbon", real_name="Maya Reis")
    tl.tick()
    assert {c.get("user") for c in bot.standin.calls_to(INFO)[-2:]} == {OMAR, MAYA}
    maya = _person(bot, MAYA)
    assert (maya.tz, maya.name, maya.refreshed_at) == (
        "Europe/Lisbon",
        "Maya Reis",
        bot.clock.now(),
    )
    assert "*Maya Reis*" in tl.to(OMAR, "nudge")[0].text


def test_user_change_keeps_the_cache_current_without_users_info(bot: Bot) -> None:
    tl = _week_later(bot, RefreshBudget(burst=0))
    bot.driver.change_user(MAYA, real_name="Maya Reis")
    wait_for(lambda: _person(bot, MAYA).name == "Maya Reis", what="the user_change event")
    maya = _person(bot, MAYA)
    assert (maya.name, maya.refreshed_at) == ("Maya Reis", bot.clock.now())
    calls = len(bot.standin.calls_to(INFO))
    tl.tick()
    assert len(bot.standin.calls_to(INFO)) == calls
    assert "*Maya Reis*" in tl.to(OMAR, "nudge")[0].text


def test_someone_never_seen_is_looked_up_even_without_budget(bot: Bot) -> None:
    tl = _week_later(bot, RefreshBudget(burst=0))
    with bot.sessions.begin() as s:
        s.execute(delete(Person).where(Person.user_id == MAYA))
    tl.tick()
    assert [c.get("user") for c in bot.standin.calls_to(INFO)][-1] == MAYA
    assert _person(bot, MAYA).refreshed_at == bot.clock.now()
    assert len(tl.to(OMAR, "nudge")) == 1 and len(tl.to(MAYA, "nudge")) == 1


def test_a_rate_limited_refresh_uses_the_cache_and_waits_for_retry_after(bot: Bot) -> None:
    budget = RefreshBudget()
    tl = _week_later(bot, budget)
    bot.standin.rate_limit_next(INFO, retry_after=30)
    stats = tl.bot.tick()
    tl.collect()
    assert stats.sent == 2 and stats.retried == 0 and not stats.rate_limited
    assert len(tl.to(OMAR, "nudge")) == 1 and len(tl.to(MAYA, "nudge")) == 1
    assert len(bot.standin.calls_to(INFO)) >= 1
    assert not budget.take(TEAM)  # no more refreshes until Retry-After has passed
