"""Rendering a claimed batch ahead of sending it: one read for the rows still to send, instead
of one (about nine SELECTs) per row.

Only kinds that read for a batch (`Kind.prepare`: nudges, follow-ups) are rendered ahead; any
other row is rendered just before it is sent, as before. A rendering is used for at most
`MAX_AGE` real seconds: when a tick waits (Slack's limits), the rows still to send are read
again, so a message never goes out from data older than that (a pair paused or a meeting
answered meanwhile is seen as before, within a second). `forget` drops what was rendered when
the dispatcher changed what renders read (a workspace stopped).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Connection

from bot.core.services import Services
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Job, Outcome, kind_of, render_all

MAX_AGE = 1.0  # seconds


class Ahead:
    """The messages of one claimed batch, rendered together as their turn comes."""

    def __init__(
        self,
        services: Services,
        budget: RefreshBudget,
        jobs: Sequence[Job],
        bind: Connection | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services, self.budget, self.bind, self.monotonic = services, budget, bind, monotonic
        self.order = {job.id: i for i, job in enumerate(jobs)}
        self.jobs = list(jobs)
        self.done: dict[int, Outcome] = {}
        self.at = 0.0
        # Messages built by whoever queued the rows (`give`), and when they were built.
        self.given: dict[int, Outcome] = {}
        self.given_at = 0.0
        self.reads = 0  # how many times it read (for tests)

    def ready(self, job: Job) -> bool:
        """Whether `job`'s message is rendered already (taking it reads nothing)."""
        return (job.id in self.done and self._fresh(self.at)) or self._handed(job)

    def take(self, job: Job) -> Outcome:
        """`job`'s message (or Skip, or what its render raised), rendered with the rows after it
        when no fresh rendering of it is at hand."""
        if self._handed(job):
            return self.given.pop(job.id)
        if not self.ready(job):
            start = self.order.get(job.id)
            rest = [job]
            if start is not None and self._ahead(job):
                rest += [
                    j for j in self.jobs[start + 1 :] if self._ahead(j) and not self._handed(j)
                ]
            self.done = render_all(self.services, rest, self.budget, self.bind)
            self.at = self.monotonic()
            self.reads += 1
        return self.done.pop(job.id)

    def give(self, outcomes: Mapping[int, Outcome], at: float | None = None) -> None:
        """Messages built already by whoever queued the rows, as if rendered at `at` (a
        `monotonic` time; now when not given). Once older than `MAX_AGE` they are rendered
        like any other row."""
        self.given = dict(outcomes)
        self.given_at = self.monotonic() if at is None else at

    def forget(self) -> None:
        """Render every later row afresh."""
        self.done = {}
        self.given = {}

    def _fresh(self, at: float) -> bool:
        return self.monotonic() - at <= MAX_AGE

    def _handed(self, job: Job) -> bool:
        return job.id in self.given and self._fresh(self.given_at)

    def _ahead(self, job: Job) -> bool:
        kind = kind_of(self.services, job.kind)
        return kind is not None and kind.prepare is not None
