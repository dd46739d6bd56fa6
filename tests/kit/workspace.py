"""The test workspace: its people, secrets and start time, waiting for the bot, and the Bot a
scenario drives (the real app over HTTP, the stand-in, the manual clock)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Runtime
from bot.core.clock import ManualClock
from bot.core.config import Config, parse_config
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.stats import DispatchStats
from bot.heartbeat import run_tick
from bot.plans.start import first_weeks_idle
from bot.server import BotServer
from bot.standin import DriverResponse, SlackDriver, SlackStandIn
from storage import keys
from storage.models import Delivery

T = TypeVar("T")
PG_ENV = "MENTORSHIP_TEST_DATABASE_URL"
TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
TEAM = "T0000000001"
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # a Monday

# People every scenario can use. Omar (Berlin) mentors Maya (New York) in most stories.
OMAR, MAYA, LENA, KAI, ROBOT, GONE = (
    "U0OMAR0001",
    "U0MAYA0001",
    "U0LENA0001",
    "U0KAI00001",
    "U0ROBOT001",
    "U0GONE0001",
)
MENTORING = "C0MENTOR01"


def wait_for(predicate: Callable[[], T], timeout: float = 5.0, what: str = "condition") -> T:
    """Poll until the bot's background work (after an ack) makes `predicate` truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def make_config(api_url: str, db: str, **sections: dict[str, object]) -> Config:
    """A Config as an operator would write it, with the test secrets."""
    data: dict[str, object] = {"slack": {"api_url": api_url}, "database": {"url": db}}
    data.update(sections)
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
    return parse_config(data, env)


@dataclass
class Bot:
    runtime: Runtime
    server: BotServer
    standin: SlackStandIn
    driver: SlackDriver
    clock: ManualClock

    dispatcher: Dispatcher | None = None

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.runtime.services.sessions

    def tick(self) -> DispatchStats:
        """One scheduler heartbeat at the current (manual) time: plan, then send what is due."""
        if self.dispatcher is None:
            self.dispatcher = Dispatcher(self.runtime.services, owner="test-dispatcher")
        return run_tick(self.runtime.services, self.dispatcher)

    def start_plan(
        self,
        creator: str,
        values: dict[str, object],
        text: str = "start",
        before_submit: Callable[[], object] | None = None,
    ) -> DriverResponse:
        """Run /mentorship start and submit the modal with `values` (by label; `before_submit`
        runs while the modal is open), then wait for what the bot does after its answer (the
        first weeks planned, both summaries sent), so a scenario goes on from a settled state."""
        response = self.driver.slash_command(creator, text)
        assert response.status == 200, response.body
        views = wait_for(lambda: self.standin.views_for(creator), what="the plan modal")
        view = views[-1]
        if before_submit is not None:
            before_submit()
        submitted = self.driver.submit_view(creator, view.id, values)
        self.settle()
        return submitted

    def settle(self) -> None:
        """Wait until what the bot does after its answers is done (its listeners idle), so a
        scenario's next step starts from a settled state."""
        wait_for(lambda: listeners_idle(self.runtime), what="the work after the answer")


def listeners_idle(runtime: Runtime) -> bool:
    """No listener is running or waiting to run: what Bolt does after its acks (the first
    planning, the plan summaries sent) is done. Read off the executor's own counters."""
    executor = runtime.app.listener_runner.listener_executor
    assert isinstance(executor, ThreadPoolExecutor)
    idle = executor._idle_semaphore._value
    return executor._work_queue.empty() and idle >= len(executor._threads) and first_weeks_idle()


def stop_serving(runtime: Runtime, server: BotServer) -> None:
    """Stop the server, then wait for the work its listeners still do after their ack (a Home
    refresh, the first planning): left running, it would call a stand-in already stopped and
    log its errors into whichever test this process runs next."""
    server.stop()
    runtime.app.listener_runner.listener_executor.shutdown(wait=True)
    wait_for(first_weeks_idle, what="the new pairs' first weeks")
    runtime.engine.dispose()


def welcome_queued(bot: Bot, user: str) -> bool:
    """The welcome DM for `user` is in the outbox (written beside a new workspace's first
    request, while its listener answers Slack)."""
    with bot.sessions() as s:
        key = keys.welcome(TEAM, user)
        return s.scalar(select(Delivery.id).where(Delivery.occurrence_key == key)) is not None
