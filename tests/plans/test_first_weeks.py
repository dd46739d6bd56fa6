"""The first weeks' planner (bot/plans/first_weeks.py): the request hands its pair over and goes
on; pairs handed over while one batch is planned are planned together in the next; a batch
that fails is left to the scheduler, which is woken, and the planner goes on."""

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
    """A planner that records each batch and holds the first until `release`."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()

    def __call__(self, _: Services, items: Sequence[int]) -> None:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            assert self.release.wait(5)


def test_pairs_handed_over_while_one_is_planned_are_planned_together() -> None:
    services = _services()
    held = _Held()
    weeks: FirstWeeks[int] = FirstWeeks(held, batch=3)
    weeks.plan(services, 0)  # returns at once, though the planner is held
    wait_for(lambda: held.batches == [[0]], what="the first batch")
    assert not weeks.idle
    for i in range(1, 6):
        weeks.plan(services, i)
    held.release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [1, 2, 3], [4, 5]]  # at most `batch` at a time, in order


def test_each_batch_is_of_one_services() -> None:
    one, other = _services(), _services()
    release = threading.Event()
    batches: list[tuple[Services, list[str]]] = []

    def planner(services: Services, items: Sequence[str]) -> None:
        batches.append((services, list(items)))
        if len(batches) == 1:
            assert release.wait(5)

    weeks: FirstWeeks[str] = FirstWeeks(planner)
    weeks.plan(one, "a")
    wait_for(lambda: len(batches) == 1, what="the first batch")
    for services, item in ((one, "b"), (other, "x"), (one, "c"), (other, "y")):
        weeks.plan(services, item)
    release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert batches == [(one, ["a"]), (one, ["b", "c"]), (other, ["x", "y"])]


def test_a_failed_batch_wakes_the_scheduler_and_the_next_is_planned(
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
        wait_for(lambda: weeks.idle, what="the failed batch")
        weeks.plan(services, 1)
        wait_for(lambda: weeks.idle and planned == [[1]], what="the next batch")
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
    weeks.plan(services, 0)
    wait_for(lambda: held.batches == [[0]], what="the first batch")
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
    weeks.plan(stopping, 0)
    wait_for(lambda: held.batches == [[0]], what="the first batch")
    weeks.plan(stopping, 1)
    weeks.plan(other, 2)
    weeks.plan(stopping, 3)
    assert weeks.drop(stopping) == 2
    held.release.set()
    wait_for(lambda: weeks.idle, what="the planner to finish")
    assert held.batches == [[0], [2]]  # the batch being planned finished; the other's went on


def test_a_planner_ended_by_more_than_an_error_starts_again_at_the_next_hand_over() -> None:
    services = _services()
    planned: list[list[int]] = []

    def planner(_: Services, items: Sequence[int]) -> None:
        if items[0] == 0:
            raise KeyboardInterrupt  # not an Exception: it ends the planner's run
        planned.append(list(items))

    weeks: FirstWeeks[int] = FirstWeeks(planner)
    weeks.plan(services, 0)
    wait_for(lambda: weeks.idle, what="the ended run")
    weeks.plan(services, 1)
    wait_for(lambda: planned == [[1]], what="a new run")
