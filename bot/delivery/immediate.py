"""Messages the request that queued them sends at once (a new plan's summaries), one request
at a time: the rows other requests queue meanwhile are sent by the one sending, in its next
claim, instead of each request claiming and sending its own.

Measured on the real `serve` (bench/README.md, "Fourth pass"): a request that sends its own
summaries costs a fifth less CPU than a scheduler tick reading and rendering them; sixteen
requests each claiming their own cost more than one claim for all of them. Before this, a
request that found another sending handed its messages to the scheduler (a third of them,
one person submitting after another); now the sender takes them too, and the scheduler is
woken only when a send fails.

Every row still goes through the outbox as in a tick (`Dispatcher.send_now`): claimed by its
occurrence key only if still pending and due, `sending` committed before its Slack call,
finished after it. Rows this sender never claims (a tick got there first, the process ended)
stay the outbox's: a tick sends them, rendered from the database.

A request may claim its rows for the sender itself (`claim`), inside the write transaction it
commits anyway (a new plan's first planning): one transaction less per request. Those rows are
claimed by this process's sender (`owner`). When a send fails, the rows still claimed go back
to pending at once, for the scheduler that is woken with their messages; when the process
stops, what it claimed and did not send goes back to pending (`release`); when it dies, a tick
takes them once the claim's lease ends.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher, default_owner, lease_of
from bot.delivery.render import Rendered
from storage.db import core_connection
from storage.outbox import claim_keys_on, release_claims, release_rows

log = logging.getLogger(__name__)

BATCH = 25  # requests' rows in one claim: a claim's rows are sent within its lease


@dataclass(frozen=True)
class Claimed:
    """Rows a request claimed for the sender (`Immediate.claim`), and when (time.monotonic())."""

    rows: tuple[Row[Any], ...] = ()
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class _Queued:
    services: Services
    keys: tuple[str, ...]
    messages: Mapping[str, Rendered]
    claimed: Claimed


class Immediate:
    """`send`: these rows now, by this thread, or by the thread sending already."""

    def __init__(self, batch: int = BATCH) -> None:
        self._batch = batch
        self._lock = threading.Lock()
        self._sending = False
        self._queued: list[_Queued] = []
        self._owner: tuple[int, str] | None = None

    @property
    def owner(self) -> str:
        """This process's sender's name on the rows it claims (a forked child makes its own)."""
        pid = os.getpid()
        with self._lock:
            if self._owner is None or self._owner[0] != pid:
                self._owner = (pid, default_owner())
            return self._owner[1]

    def release(self, services: Services) -> int:
        """This process's sender's claimed rows, never handed to Slack, back to pending (when
        the process stops: the next tick, here or elsewhere, sends them instead of waiting for
        their lease). Rows in `sending` stay. Return how many."""
        with self._lock:
            mine = self._owner is not None and self._owner[0] == os.getpid()
        if not mine:
            return 0  # this process claimed nothing
        with services.sessions.begin() as session:
            return release_claims(session, self.owner)

    def claim(self, services: Services, session: Session, keys: Sequence[str]) -> Claimed:
        """Claim for this sender the due, pending rows of these occurrence keys, in `session`'s
        write transaction (committed with it): for `send(..., claimed=...)` after the commit."""
        now = services.clock.now()
        conn = core_connection(session)
        rows = claim_keys_on(conn, self.owner, now, lease_of(services), keys)
        return Claimed(tuple(rows))

    def send(
        self,
        services: Services,
        keys: Sequence[str],
        messages: Mapping[str, Rendered],
        claimed: Claimed | None = None,
    ) -> None:
        """Send the due, pending rows of these occurrence keys and the rows `claimed` for
        this sender already (`messages`: those built already, by key). Returns at once when
        another thread is sending: it sends these after its own. A send that fails wakes the
        scheduler with its messages."""
        with self._lock:
            self._queued.append(_Queued(services, tuple(keys), messages, claimed or Claimed()))
            if self._sending:
                return
            self._sending = True
        try:
            while True:
                with self._lock:
                    taken = self._queued[: self._batch]
                    self._queued = self._queued[self._batch :]
                    if not taken:
                        self._sending = False
                        return
                for group in _by_services(taken):
                    _send(group, self.owner)
        except BaseException:
            # Whatever ended this thread's sending (the scheduler's wake failing too, the
            # interpreter stopping): the next request sends again. Rows still queued stay
            # pending in the outbox, where the scheduler's next tick finds them.
            with self._lock:
                self._queued.clear()
                self._sending = False
            raise


def _by_services(queued: list[_Queued]) -> list[list[_Queued]]:
    """Queued sends grouped by their services (one process may hold several, in tests)."""
    groups: dict[int, list[_Queued]] = {}
    for q in queued:
        groups.setdefault(id(q.services), []).append(q)
    return list(groups.values())


def _send(group: list[_Queued], owner: str) -> None:
    services = group[0].services
    keys = [k for q in group for k in q.keys]
    messages = {k: m for q in group for k, m in q.messages.items()}
    claimed = [r for q in group for r in q.claimed.rows]
    at = min((q.claimed.at for q in group if q.claimed.rows), default=None)
    try:
        Dispatcher(services, owner=owner).send_now(keys, messages, claimed, at)
    except Exception:  # claimed rows not handed to Slack go back to pending, for the scheduler
        log.exception("%d queued messages: not sent at once; the scheduler will", len(messages))
        _release(services, owner, [r.id for r in claimed])
        services.waker(plan=False, messages=messages)


def _release(services: Services, owner: str, ids: list[int]) -> None:
    """Rows claimed for this sender and not handed to Slack: back to pending, for the
    scheduler's next tick (else they wait for their lease to end)."""
    try:
        release_rows(services.sessions.kw["bind"], owner, ids)
    except Exception:  # the database failed too: the lease ends them
        log.exception("%d claimed rows: not released; they wait for their lease", len(ids))
