"""Several dispatchers in one worker, each sending its share of the due messages side by side
(`[scheduler] senders`).

One dispatcher sends one message at a time: it commits the row's `sending` state, then waits
for Slack, then starts on the next. On PostgreSQL that commit waits for the server to write it
to disk, so a lone sender spends about half of each message waiting. With two, one works while
the other waits. Each claims only the rows of its own pairs (pair id modulo the number of
senders), so a pair's messages still go out from one sender, in their order. The guarantees are
each dispatcher's own: a row is claimed before its call, `sending` is committed before it, and
it is finished after; a crash never sends anything twice.

On SQLite, writes take turns on one lock and a commit does not wait for the disk: a second
sender sent no more and cost about a quarter more CPU per message (bench/README.md), so one is
the default there."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor

from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher, default_owner
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Rendered
from bot.delivery.stats import DispatchStats

MAX_SENDERS = 8


def default_senders(services: Services) -> int:
    """`[scheduler] senders`, or by database when unset: 2 on PostgreSQL, 1 on SQLite."""
    configured = services.config.scheduler.senders
    if configured is not None:
        return configured
    return 2 if services.sessions.kw["bind"].dialect.name == "postgresql" else 1


class Senders:
    """`count` dispatchers ticking together; what `Heartbeat` runs. The same calls as one
    `Dispatcher` (tick, give, stop, stopping, last_claim)."""

    def __init__(self, services: Services, count: int | None = None) -> None:
        count = count or default_senders(services)
        if not 1 <= count <= MAX_SENDERS:
            raise ValueError(f"senders: 1 to {MAX_SENDERS}, got {count}")
        owner = default_owner()
        budget = RefreshBudget()  # users.info refreshes: one budget for the process
        self.dispatchers = [
            Dispatcher(
                services,
                owner=owner if count == 1 else f"{owner}/{i}",
                share=(i, count),
                people_budget=budget,
            )
            for i in range(count)
        ]
        self._pool = (
            ThreadPoolExecutor(count - 1, thread_name_prefix="mentorship-sender")
            if count > 1
            else None
        )

    def tick(self, max_batches: int | None = None) -> DispatchStats:
        """Every sender's tick at once (the first in this thread); their counts added up. A
        sender that fails is raised after the others have ended their tick."""
        first, *others = self.dispatchers
        if self._pool is None or first.stopping:
            return first.tick(max_batches)
        running: list[Future[DispatchStats]] = []
        for dispatcher in others:
            try:
                running.append(self._pool.submit(dispatcher.tick, max_batches))
            except RuntimeError:  # stopped meanwhile (the pool is shut): no more senders
                break
        results: list[DispatchStats] = []
        errors: list[BaseException] = []
        try:
            results.append(first.tick(max_batches))
        except Exception as exc:
            errors.append(exc)
        for future in running:
            try:
                results.append(future.result())
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
        total = DispatchStats()
        for stats in results:
            total.add(stats)
        return total

    def give(self, messages: Mapping[str, Rendered]) -> None:
        """`Dispatcher.give`, to every sender: the one that claims each row takes its message."""
        for dispatcher in self.dispatchers:
            dispatcher.give(messages)

    def stop(self) -> None:
        """`Dispatcher.stop` for every sender; later ticks send nothing."""
        for dispatcher in self.dispatchers:
            dispatcher.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False)

    @property
    def stopping(self) -> bool:
        return self.dispatchers[0].stopping

    @property
    def last_claim(self) -> float | None:
        """When (time.monotonic()) a sender last claimed a batch: a sign of life."""
        claims = [d.last_claim for d in self.dispatchers if d.last_claim is not None]
        return max(claims, default=None)
