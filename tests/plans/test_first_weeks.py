"""The first weeks' planner (bot/plans/first_weeks.py): a pair arriving while nothing is planned
is planned at once on its request's thread; pairs arriving while one is planned are queued and
planned together by the planner's thread, and their requests go on; a batch that fails is
planned again pair by pair, and what still fails is left to the scheduler, which is woken; the planner's thread waits while requests are being answered
(for a bounded time); and the scheduler's tick leaves a pair in hand to its planning."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sqlalchemy import select

import bot.plans.first_weeks as first_weeks_module
import bot.plans.start as start_module
from bot.core.services import Answering, InHand, Services, Waker
from bot.plans.first_weeks import FirstWeeks
from storage.models import Delivery, Pair
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, Bot, listeners_idle, wait_for


class _Services:
    """What the planner uses of Services: the scheduler's waker, the pairs in hand and the
    requests being answered."""

    def __init__(self) -> None:
        self.in_hand = InHand()
        self.answering = Answering()
        self.wakes: list[bool] = []
        self.held_at_wake: list[frozenset[int]] = []  # this process's tick would leave these
        self.waker = Waker()
        self.waker.set(lambda plan, messages: self._woken(plan))

    def _woken(self, plan: bool) -> None:
        self.wakes.append(plan)
        self.held_at_wake.append(self.in_hand.ids())


def _pair(item: int) -> int:
    return item


def _services() -> Services:
    return cast(Services, _Services())


class _Held:
    """A planner that records each batch (and the thread it ran on) and holds the first until
    `release`."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.threads: list[int] = []
        self.release = threading.Event()

    def __call__(self, _: Services, items: Sequence[int]) -> None:
        self.batches.append(list(items))
        self.threads.append(threading.get_ident())
        if len(self.batches) == 1:
            assert self.release.wait(5)


def _first_on_its_own_thread(
    weeks: FirstWeeks[int], services: Services, held: _Held
) -> threading.Thread:
    """The first pair's request, planning it on its own thread (held there)."""
    request = threading.Thread(target=weeks.plan, args=(services, 0))
    request.start()
    wait_for(lambda: held.batches == [[0]], what="the first pair's planning")
    return request


def test_one_pair_alone_is_planned_at_once_on_its_requests_thread() -> None:
    services = _services()
    held = _Held()
    held.release.set()
    weeks: FirstWeeks[int] = FirstWeeks(held, _pair)
    weeks.plan(services, 0)
    assert held.batches == [[0]] and held.threads == [threading.get_ident()]
    assert weeks.idle


def test_pairs_arriving_while_one_is_planned_are_planned_together() -> None:
    services = _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, _pair, batch=3)
    request = _first_on_its_own_thread(weeks, services, held)
    assert not weeks.idle
    for i in range(1, 6):
        weeks.plan(services, i)  # queued: returns at once, though the planner is held
    assert services.in_hand.ids() == {0, 1, 2, 3, 4, 5}  # this process's tick leaves them
    held.release.set()
    request.join(5)
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [1, 2, 3], [4, 5]]  # at most `batch` at a time, in order
    assert services.in_hand.ids() == set()
    assert held.threads[0] == request.ident
    assert len(set(held.threads[1:])) == 1 and held.threads[1] != request.ident


def test_each_batch_is_of_one_services() -> None:
    one, other = _services(), _services()
    held = _Held()
    seen: list[Services] = []

    def planner(services: Services, items: Sequence[int]) -> None:
        seen.append(services)
        held(services, items)

    weeks: FirstWeeks[int] = FirstWeeks(planner, _pair)
    request = threading.Thread(target=weeks.plan, args=(one, 0))
    request.start()
    wait_for(lambda: held.batches == [[0]], what="the first pair's planning")
    for services, item in ((one, 1), (other, 10), (one, 2), (other, 11)):
        weeks.plan(services, item)
    held.release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert list(zip(seen, held.batches, strict=True)) == [
        (one, [0]),
        (one, [1, 2]),
        (other, [10, 11]),
    ]


def test_a_failed_pair_wakes_the_scheduler_and_the_next_is_planned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    services = _services()
    planned: list[list[int]] = []

    def planner(_: Services, items: Sequence[int]) -> None:
        if items[0] == 0:
            raise RuntimeError("the database went away")
        planned.append(list(items))

    weeks: FirstWeeks[int] = FirstWeeks(planner, _pair)
    with caplog.at_level(logging.ERROR):
        weeks.plan(services, 0)
        weeks.plan(services, 1)
    assert weeks.idle and planned == [[1]]
    assert cast(Any, services).wakes == [True]  # the scheduler plans what was not
    assert cast(Any, services).held_at_wake == [set()]  # and the woken tick may take it
    assert "1 new pairs: first weeks not planned here; the scheduler will" in caplog.text


def test_one_bad_pair_keeps_only_itself_back(caplog: pytest.LogCaptureFixture) -> None:
    services = _services()
    held = _Held()
    planned: list[list[int]] = []

    def planner(services: Services, items: Sequence[int]) -> None:
        held(services, items)
        if 3 in items:
            raise ValueError("a pair the planner cannot plan")
        planned.append(list(items))

    weeks: FirstWeeks[int] = FirstWeeks(planner, _pair)
    _first_on_its_own_thread(weeks, services, held)
    for i in range(1, 6):
        weeks.plan(services, i)
    with caplog.at_level(logging.WARNING):
        held.release.set()
        wait_for(lambda: weeks.idle, what="the planner to finish")
    assert planned == [[0], [1], [2], [4], [5]]  # the batch failed, then each alone
    assert cast(Any, services).wakes == [True]  # for the one left to the scheduler
    assert cast(Any, services).held_at_wake == [set()]  # out of hand when it is woken
    assert "5 new pairs planned together failed: planning each alone" in caplog.text
    assert "1 new pairs: first weeks not planned here; the scheduler will" in caplog.text


def test_a_stopping_process_leaves_its_queued_pairs_to_the_scheduler() -> None:
    stopping, other = _services(), _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, _pair)
    _first_on_its_own_thread(weeks, stopping, held)
    weeks.plan(stopping, 1)
    weeks.plan(other, 2)
    weeks.plan(stopping, 3)
    assert weeks.drop(stopping) == 2
    assert (stopping.in_hand.ids(), other.in_hand.ids()) == (frozenset({0}), frozenset({2}))
    held.release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [2]]  # the pair being planned finished; the other's went on
    assert stopping.in_hand.ids() == other.in_hand.ids() == set()


def test_a_planner_ended_by_more_than_an_error_starts_again_at_the_next_pair() -> None:
    services = _services()
    held = _Held()
    planned: list[list[int]] = []

    def planner(services: Services, items: Sequence[int]) -> None:
        held(services, items)
        if items[0] == 1:
            raise KeyboardInterrupt  # not an Exception: it ends the planner's thread's run
        planned.append(list(items))

    weeks: FirstWeeks[int] = FirstWeeks(planner, _pair)
    _first_on_its_own_thread(weeks, services, held)
    weeks.plan(services, 1)  # queued, for the planner's thread, whose run it ends
    held.release.set()
    wait_for(lambda: weeks.idle, what="the ended run")
    assert services.in_hand.ids() == set()
    weeks.plan(services, 2)
    assert planned == [[0], [2]]


def test_a_tick_leaves_a_new_pair_in_hand_to_its_planning(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler tick while a submission's pair is being planned neither plans it nor sends
    its summaries (that planning does both, the cheaper way); once planned, each summary went
    out once, and a tick then finds nothing of it to do."""
    weeks = start_module._FIRST_WEEKS
    planning, release = threading.Event(), threading.Event()
    real = weeks._planner

    def held(services: Services, items: Sequence[Any]) -> None:
        planning.set()
        assert release.wait(5)
        real(services, items)

    monkeypatch.setattr(weeks, "_planner", held)
    # When the summaries are sent, the pair is out of hand: a send that fails wakes the
    # scheduler for them, and its tick must not leave them alone.
    held_at_send: list[frozenset[int]] = []
    send = start_module._IMMEDIATE.send

    def sending(services: Services, *args: Any) -> None:
        held_at_send.append(services.in_hand.ids())
        send(services, *args)

    monkeypatch.setattr(start_module._IMMEDIATE, "send", sending)
    assert bot.driver.slash_command(OMAR, "start").status == 200
    view = wait_for(lambda: bot.standin.views_for(OMAR), what="the plan modal")[-1]
    assert bot.driver.submit_view(OMAR, view.id, PLAN).status == 200
    assert planning.wait(5)
    with bot.sessions() as s:
        pair = s.scalars(select(Pair)).one()
    assert bot.runtime.services.in_hand.ids() == {pair.id}
    bot.tick()
    with bot.sessions() as s:
        assert s.get_one(Pair, pair.id).planned_until is None  # not planned by the tick
        rows = Counter(tuple(r) for r in s.execute(select(Delivery.kind, Delivery.status)))
    # nor its summaries sent; the workspace's welcome, of no pair, was the tick's to send
    assert rows == {("plan_summary", "pending"): 2, ("notice", "sent"): 1}
    release.set()
    wait_for(lambda: listeners_idle(bot.runtime), what="the planning")
    assert bot.runtime.services.in_hand.ids() == set()
    dms = (bot.standin.dm_messages(OMAR), bot.standin.dm_messages(MAYA))
    with bot.sessions() as s:
        assert s.get_one(Pair, pair.id).planned_until is not None
        sent = s.scalars(select(Delivery.status).where(Delivery.kind == "plan_summary"))
        assert list(sent) == ["sent", "sent"]
    assert bot.tick().sent == 0
    assert [len(d) for d in dms] == [2, 1]  # the workspace's notice, and each one summary
    assert held_at_send == [set()]


def test_the_planners_thread_waits_out_a_burst_of_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pairs queued while two requests or more are being answered wait until fewer are, then
    are planned together; one request at a time keeps nothing waiting."""
    monkeypatch.setattr(first_weeks_module, "BURST_WAIT", 60.0)  # longer than this test
    services = _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, _pair, batch=10)
    request = _first_on_its_own_thread(weeks, services, held)
    one, two = services.answering.request(), services.answering.request()
    one.__enter__()
    two.__enter__()  # a burst: two requests being answered, until their exits
    weeks.plan(services, 1)
    held.release.set()
    request.join(5)
    weeks.plan(services, 2)  # queued while the planner's thread waits: the same batch
    assert not services.answering.wait_out_burst(0.2)
    assert held.batches == [[0]] and services.in_hand.ids() == {1, 2}
    two.__exit__(None, None, None)  # one request left: no burst
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [1, 2]]
    assert services.in_hand.ids() == set()
    one.__exit__(None, None, None)


def test_the_planners_thread_waits_out_a_burst_a_bounded_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A burst longer than BURST_WAIT keeps no pair from its planning longer than that, and a
    stopping process keeps none waiting at all."""
    monkeypatch.setattr(first_weeks_module, "BURST_WAIT", 0.3)
    services = _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, _pair)
    request = _first_on_its_own_thread(weeks, services, held)
    with services.answering.request(), services.answering.request():
        weeks.plan(services, 1)
        held.release.set()
        request.join(5)
        wait_for(lambda: held.batches == [[0], [1]], what="the planning after BURST_WAIT")
        monkeypatch.setattr(first_weeks_module, "BURST_WAIT", 60.0)
        held.batches.clear()
        held.release.clear()
        request = _first_on_its_own_thread(weeks, services, held)
        weeks.plan(services, 2)
        held.release.set()
        request.join(5)
        services.answering.stop()
        wait_for(lambda: weeks.idle, what="the planning once the process stops", timeout=5)
        assert held.batches == [[0], [2]]


def test_a_burst_is_two_requests_or_more_being_answered() -> None:
    answering = Answering()
    assert answering.wait_out_burst(0)
    with answering.request():
        assert answering.wait_out_burst(0)  # one at a time is no burst
        with answering.request():
            assert not answering.wait_out_burst(0.01)
    assert answering.wait_out_burst(0)
    with answering.request(), answering.request():
        answering.stop()
        assert answering.wait_out_burst(10)  # at once: nothing waits once the process stops
