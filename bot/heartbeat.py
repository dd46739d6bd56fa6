"""APScheduler supplies the heartbeat; the database holds the truth (see DESIGN.md)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.render import Rendered
from bot.delivery.senders import Senders
from bot.delivery.stats import DispatchStats
from bot.pairs.planner import plan_tick
from bot.reports.overview import refresh_overviews

log = logging.getLogger(__name__)
JOB_ID = "mentorship-tick"


def run_tick(
    services: Services, dispatcher: Dispatcher | Senders, *, plan: bool = True
) -> DispatchStats:
    """One heartbeat: plan the coming weeks and recount a large workspace's overview (unless
    `plan` is False), then send what is due."""
    if plan:
        plan_tick(services)
        refresh_overviews(services)
    stats = dispatcher.tick()
    if stats.sent or stats.failed or stats.unknown or stats.rate_limited:
        log.info(
            "dispatch: sent=%d failed=%d unknown=%d retried=%d skipped=%d collapsed=%d",
            stats.sent,
            stats.failed,
            stats.unknown,
            stats.retried,
            stats.skipped,
            stats.collapsed,
        )
    return stats


class Heartbeat:
    """A BackgroundScheduler running `run_tick` every `tick_seconds` (real seconds), sending with
    `[scheduler] senders` dispatchers unless given one."""

    def __init__(
        self,
        services: Services,
        dispatcher: Dispatcher | Senders | None = None,
        tick_seconds: float | None = None,
        stale_after: float | None = None,
    ) -> None:
        self.services = services
        self.tick_seconds = tick_seconds or services.config.scheduler.tick_seconds
        self.dispatcher = dispatcher or Senders(services)
        # /healthz says 503 when the scheduler showed no sign of life for this long (real
        # seconds): a few tick intervals, and never less than a lease, which is how long one
        # batch of claimed messages may take.
        self.stale_after = stale_after or max(
            3 * self.tick_seconds, services.config.scheduler.lease_seconds
        )
        self._alive: float | None = None  # time.monotonic() of the last sign of life
        self.scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        # A tick still running when the next is due is skipped on purpose (coalesce, one
        # instance); APScheduler would log that as a warning on every skipped beat.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        self.last_tick: datetime | None = None
        self.last_error: str | None = None
        self._lock = threading.Lock()
        # A wake that only sends (its caller planned what it changed) skips the planner when
        # it planned within half a beat: a burst of plan submissions, each waking the
        # scheduler to send its summaries, then costs one planning per half beat, not one each.
        self._plan_wanted = threading.Event()
        self._planned_at: float | None = None  # time.monotonic() of the last planning

    def _job(self) -> None:
        """One heartbeat. A tick that used all its batches is followed at once by another:
        APScheduler skips the beats that fell due while a job ran, so waiting for the next
        one would leave a backlog idle for up to `tick_seconds`."""
        with self._lock:
            self._alive = time.monotonic()
            try:
                while run_tick(self.services, self.dispatcher, plan=self._planning()).more_due:
                    self._alive = time.monotonic()
                    if self.dispatcher.stopping:
                        break
                self.last_error = None
            except Exception as exc:  # the heartbeat must survive a bad tick; log and go on
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("scheduler tick failed")
            self.last_tick = self.services.clock.now()
            self._alive = time.monotonic()

    def _planning(self) -> bool:
        """Whether this tick plans: always on the beat, on a wake only when asked to."""
        now = time.monotonic()
        asked = self._plan_wanted.is_set()
        if asked or self._planned_at is None or now - self._planned_at >= self.tick_seconds / 2:
            self._plan_wanted.clear()
            self._planned_at = now
            return True
        return False

    def start(self) -> None:
        """Start ticking; the first tick runs at once."""
        self.scheduler.add_job(
            self._job,
            "interval",
            seconds=self.tick_seconds,
            id=JOB_ID,
            next_run_time=datetime.now(self.scheduler.timezone),
        )
        self._alive = time.monotonic()
        self.scheduler.start()
        self.services.waker.set(self.wake)

    def wake(self, plan: bool = True, messages: Mapping[str, Rendered] | None = None) -> None:
        """Run a tick now (e.g. right after a plan is stored) instead of waiting; `plan`:
        the planner runs in it too (a paused pair resumed, a plan edited); `messages`: the
        just-queued rows' messages, built by the caller (`Dispatcher.give`)."""
        if messages:
            self.dispatcher.give(messages)
        if plan:
            self._plan_wanted.set()
        job = self.scheduler.get_job(JOB_ID)
        if job is not None:
            job.modify(next_run_time=datetime.now(self.scheduler.timezone))

    def stop(self) -> None:
        """Stop ticking. A tick in progress ends after the message it is sending (its other
        claimed rows go back to pending), so SIGTERM does not wait for a long backlog."""
        self.services.waker.set(None)
        self.dispatcher.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def quiet_for(self) -> float | None:
        """Real seconds since the scheduler last showed it is alive: a tick starting or ending,
        or the dispatcher claiming its next batch in a long tick. None before `start()`."""
        signs = [t for t in (self._alive, self.dispatcher.last_claim) if t is not None]
        return time.monotonic() - max(signs) if signs else None

    def health(self) -> dict[str, Any]:
        """Scheduler state for /healthz; "status": "error" (a 503) when it stopped, or stopped
        ticking for `stale_after` seconds (a tick stuck on a call that never returns)."""
        quiet = self.quiet_for()
        body: dict[str, Any] = {
            "scheduler": "running" if self.scheduler.running else "stopped",
            "last_tick": self.last_tick.isoformat() if self.last_tick else None,
            "last_tick_error": self.last_error,
            "seconds_since_tick": None if quiet is None else round(quiet, 1),
        }
        if not self.scheduler.running:
            body.update(status="error", scheduler_error="the scheduler is not running")
        elif quiet is not None and quiet > self.stale_after:
            body.update(
                status="error",
                scheduler_error=f"no tick for {quiet:.0f} s (one is due every "
                f"{self.tick_seconds:g} s): the scheduler is stuck",
            )
        return body
