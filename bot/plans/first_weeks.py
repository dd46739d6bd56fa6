"""A new pair's first weeks, planned after Slack's answer, with the pairs stored while it was
being planned: one transaction, and on PostgreSQL one insert of outbox rows and one claim of
summaries, for all of those, where each submission had its own.

When nothing is being planned, the request plans its own pair at once, on its own thread
(`FirstWeeks.plan`): one person submitting alone waits for no other thread. Pairs that arrive
meanwhile are queued and their listeners' threads are free at once, for the next requests'
answers; the planner's thread then plans what is queued, at most `batch` pairs at a time,
until nothing is. Each planning then sees that its summaries go out (`Immediate.send`: it
sends them itself, or the thread sending already takes them).

In a burst the planner's thread lets the answers go first: before each batch it waits while
two requests or more are being answered at once, for `BURST_WAIT` seconds at most
(`Answering`). Planning and sending alongside a burst of 800 submissions at c16 took 8 % of
the CPU but a fifth of the answers' p99; planned after it, with more pairs a batch, they cost
less CPU in all. The summaries then come later in such a burst; one request at a time is no
burst, and one person submitting alone is planned at once on their own thread.

Nothing is lost on the way: a queued pair is stored and never planned, and its summaries are
pending in the outbox. When a batch fails, each of its pairs is planned alone, so one bad pair
keeps only itself back. Were that to fail too, or the process to stop before it, the
scheduler's tick plans pairs never planned and sends pending summaries; a failure also wakes
the scheduler at once. Until its planning commits (or fails, or is dropped), a pair queued
or being planned here is in `services.in_hand`, and this process's tick leaves it and its
summaries to this planning (a tick in a burst of submissions otherwise planned and sent a share
of them itself, the costlier way: one pair at a time, the summaries read and rendered again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from bot.core.services import Services

log = logging.getLogger(__name__)

BATCH = 25  # pairs planned in one transaction: as many as the summaries' sender takes at once
# The planner's thread waits this long at most, before each batch, while the process is
# answering a burst of requests (`Answering.wait_out_burst`): its summaries come later then.
BURST_WAIT = 5.0

T = TypeVar("T")


class FirstWeeks(Generic[T]):
    """`plan(services, item)`: `planner(services, items)` runs on the caller's thread when
    nothing is being planned, else on this object's thread for the items queued so far (at
    most `batch`, all of one `services`); one call at a time."""

    def __init__(
        self,
        planner: Callable[[Services, Sequence[T]], None],
        pair_of: Callable[[T], int],
        batch: int = BATCH,
    ) -> None:
        self._planner = planner
        self._pair_of = pair_of
        self._batch = batch
        self._lock = threading.Lock()
        self._queued: list[tuple[Services, T]] = []
        self._running = False
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="first-weeks")

    def plan(self, services: Services, item: T) -> None:
        """Plan `item`: on this thread, at once, when nothing is being planned (no hand-over,
        one person submitting alone); else queued for the planner's thread, and this returns
        at once. What is queued while this thread plans goes to the planner's thread after.
        Until its planning commits, fails or is dropped, the item's pair is in
        `services.in_hand` (the planner lets it go once committed; this, whatever happened)."""
        services.in_hand.add(self._pair_of(item))
        with self._lock:
            if self._running:
                self._queued.append((services, item))
                return
            self._running = True
        try:
            self._plan_batch(services, [item])
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        """After this thread's own planning: what came meanwhile, to the planner's thread."""
        with self._lock:
            if not self._queued:
                self._running = False
                return
        try:
            self._thread.submit(self._drain)
        except RuntimeError:  # the interpreter is shutting down: the tick plans them
            self._abandon()

    def _abandon(self) -> None:
        """Planning here ended early: what is queued is left to the scheduler's tick, and the
        next pair starts planning again."""
        with self._lock:
            left, self._queued = self._queued, []
            self._running = False
        self._out_of_hand(left)

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing being planned (or sent by the planner's thread)."""
        with self._lock:
            return not self._running and not self._queued

    def drop(self, services: Services) -> int:
        """Forget the items queued for `services` (its process is stopping: the scheduler's
        next tick plans them); how many. The batch being planned finishes."""
        with self._lock:
            dropped = [q for q in self._queued if q[0] is services]
            self._queued = [q for q in self._queued if q[0] is not services]
        self._out_of_hand(dropped)
        return len(dropped)

    def _out_of_hand(self, queued: Sequence[tuple[Services, T]]) -> None:
        for services, item in queued:
            services.in_hand.discard([self._pair_of(item)])

    def _drain(self) -> None:
        """The planner's thread: batches until nothing is queued."""
        try:
            self._drain_queue()
        except BaseException:  # whatever ended it (the interpreter stopping)
            self._abandon()
            raise

    def _drain_queue(self) -> None:
        while True:
            with self._lock:
                waiting = self._queued[0][0] if self._queued else None
            if waiting is not None:  # what is queued meanwhile joins this batch
                waiting.answering.wait_out_burst(BURST_WAIT)
            with self._lock:
                if not self._queued:
                    self._running = False
                    return
                services = self._queued[0][0]
                taken = [item for s, item in self._queued[: self._batch] if s is services]
                self._queued = [
                    q
                    for n, q in enumerate(self._queued)
                    if n >= self._batch or q[0] is not services
                ]
            self._plan_batch(services, taken)

    def _plan_batch(self, services: Services, taken: list[T]) -> None:
        try:
            left = self._unplanned(services, taken)
        finally:  # out of hand (the planner may have let them go sooner), whatever happened
            self._out_of_hand([(services, item) for item in taken])
        if left:  # never planned here: the scheduler, woken now, plans them and sends what waits
            log.error("%d new pairs: first weeks not planned here; the scheduler will", len(left))
            _wake(services)

    def _unplanned(self, services: Services, taken: list[T]) -> list[T]:
        """Plan `taken` together, else each alone: those that failed."""
        if self._planned(services, taken):
            return []
        if len(taken) > 1:  # one bad pair must not leave the others to the scheduler
            log.warning("%d new pairs planned together failed: planning each alone", len(taken))
            return [item for item in taken if not self._planned(services, [item])]
        return taken

    def _planned(self, services: Services, items: Sequence[T]) -> bool:
        """`planner(services, items)`; False, with the error logged, when it raised."""
        try:
            self._planner(services, items)
        except Exception:
            log.exception("planning the first weeks of %d new pairs failed", len(items))
            return False
        return True


def _wake(services: Services) -> None:
    try:
        services.waker(plan=True)
    except Exception:  # its own tick still comes
        log.exception("could not wake the scheduler")
