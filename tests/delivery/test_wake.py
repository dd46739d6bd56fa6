"""A wake that only sends (a plan submission's summaries) does not run the planner again; the
beat and a wake that asks for it do."""

from __future__ import annotations

import threading

import pytest

import bot.heartbeat as heartbeat_module
from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.stats import DispatchStats
from bot.heartbeat import Heartbeat
from bot.pairs.planner import plan_tick
from tests.kit.workspace import Bot, wait_for


class Counting(Dispatcher):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.ticks = 0
        self.lock = threading.Lock()

    def tick(self, max_batches: int | None = None) -> DispatchStats:
        stats = super().tick(max_batches)
        with self.lock:
            self.ticks += 1
        return stats


def test_a_send_only_wake_skips_the_planner(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    planned: list[int] = []

    def counted(services: Services) -> int:
        planned.append(plan_tick(services))
        return planned[-1]

    monkeypatch.setattr(heartbeat_module, "plan_tick", counted)
    services = bot.runtime.services
    dispatcher = Counting(services, owner="wake")
    beat = Heartbeat(services, dispatcher, tick_seconds=3600)
    beat.start()  # the first beat plans
    try:
        wait_for(lambda: dispatcher.ticks == 1, timeout=10, what="the first beat")
        assert len(planned) == 1
        services.waker(plan=False)
        wait_for(lambda: dispatcher.ticks == 2, timeout=10, what="the send-only wake")
        assert len(planned) == 1  # sent, not planned
        services.waker()  # e.g. a pair resumed: its weeks are planned at once
        wait_for(lambda: dispatcher.ticks == 3, timeout=10, what="the planning wake")
        assert len(planned) == 2
        beat._planned_at = (beat._planned_at or 0) - 1800  # half a beat has passed
        services.waker(plan=False)
        wait_for(lambda: dispatcher.ticks == 4, timeout=10, what="a late send-only wake")
        assert len(planned) == 3  # planning is due by the clock anyway
    finally:
        beat.stop()
