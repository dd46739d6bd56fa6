"""The first weeks' planner (bot/plans/first_weeks.py): a pair arriving while nothing is planned
is planned at once on its request's thread; pairs arriving while one is planned are queued and
planned together by the planner's thread, and their requests go on; a batch that fails is
planned again pair by pair, and what still fails is left to the scheduler, which is woken."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, cast

import pytest

from bot.core.services import Services, Waker
from bot.plans.first_weeks import FirstWeeks
from tests.kit.workspace import wait_for


class _Services:
    """What the planner uses of Services: only the scheduler's waker."""

    def __init__(self) -> None:
        self.wakes: list[bool] = []
        self.waker = Waker()
        self.waker.set(lambda plan, messages: self.wakes.append(plan))


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
    weeks: FirstWeeks[int] = FirstWeeks(held)
    weeks.plan(services, 0)
    assert held.batches == [[0]] and held.threads == [threading.get_ident()]
    assert weeks.idle


def test_pairs_arriving_while_one_is_planned_are_planned_together() -> None:
    services = _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, batch=3)
    request = _first_on_its_own_thread(weeks, services, held)
    assert not weeks.idle
    for i in range(1, 6):
        weeks.plan(services, i)  # queued: returns at once, though the planner is held
    held.release.set()
    request.join(5)
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [1, 2, 3], [4, 5]]  # at most `batch` at a time, in order
    assert held.threads[0] == request.ident
    assert len(set(held.threads[1:])) == 1 and held.threads[1] != request.ident


def test_each_batch_is_of_one_services() -> None:
    one, other = _services(), _services()
    held = _Held()
    seen: list[Services] = []

    def planner(services: Services, items: Sequence[int]) -> None:
        seen.append(services)
        held(services, items)

    weeks: FirstWeeks[int] = FirstWeeks(planner)
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

    weeks: FirstWeeks[int] = FirstWeeks(planner)
    with caplog.at_level(logging.ERROR):
        weeks.plan(services, 0)
        weeks.plan(services, 1)
    assert weeks.idle and planned == [[1]]
    assert cast(Any, services).wakes == [True]  # the scheduler plans what was not
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

    weeks: FirstWeeks[int] = FirstWeeks(planner)
    _first_on_its_own_thread(weeks, services, held)
    for i in range(1, 6):
        weeks.plan(services, i)
    with caplog.at_level(logging.WARNING):
        held.release.set()
        wait_for(lambda: weeks.idle, what="the planner to finish")
    assert planned == [[0], [1], [2], [4], [5]]  # the batch failed, then each alone
    assert cast(Any, services).wakes == [True]  # for the one left to the scheduler
    assert "5 new pairs planned together failed: planning each alone" in caplog.text
    assert "1 new pairs: first weeks not planned here; the scheduler will" in caplog.text


def test_a_stopping_process_leaves_its_queued_pairs_to_the_scheduler() -> None:
    stopping, other = _services(), _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held)
    _first_on_its_own_thread(weeks, stopping, held)
    weeks.plan(stopping, 1)
    weeks.plan(other, 2)
    weeks.plan(stopping, 3)
    assert weeks.drop(stopping) == 2
    held.release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [2]]  # the pair being planned finished; the other's went on


def test_a_planner_ended_by_more_than_an_error_starts_again_at_the_next_pair() -> None:
    services = _services()
    held = _Held()
    planned: list[list[int]] = []

    def planner(services: Services, items: Sequence[int]) -> None:
        held(services, items)
        if items[0] == 1:
            raise KeyboardInterrupt  # not an Exception: it ends the planner's thread's run
        planned.append(list(items))

    weeks: FirstWeeks[int] = FirstWeeks(planner)
    _first_on_its_own_thread(weeks, services, held)
    weeks.plan(services, 1)  # queued, for the planner's thread, whose run it ends
    held.release.set()
    wait_for(lambda: weeks.idle, what="the ended run")
    weeks.plan(services, 2)
    assert planned == [[0], [2]]
