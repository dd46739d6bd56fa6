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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.services import Services
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.render import Rendered

log = logging.getLogger(__name__)

BATCH = 25  # requests' rows in one claim: a claim's rows are sent within its lease


@dataclass(frozen=True)
class _Queued:
    services: Services
    keys: tuple[str, ...]
    messages: Mapping[str, Rendered]


class Immediate:
    """`send`: these rows now, by this thread, or by the thread sending already."""

    def __init__(self, batch: int = BATCH) -> None:
        self._batch = batch
        self._lock = threading.Lock()
        self._sending = False
        self._queued: list[_Queued] = []

    def send(
        self, services: Services, keys: Sequence[str], messages: Mapping[str, Rendered]
    ) -> None:
        """Send the due, pending rows of these occurrence keys (`messages`: those built
        already, by key). Returns at once when another thread is sending: it sends these
        after its own. A send that fails wakes the scheduler with its messages."""
        with self._lock:
            self._queued.append(_Queued(services, tuple(keys), messages))
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
                    _send(group)
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


def _send(group: list[_Queued]) -> None:
    services = group[0].services
    keys = [k for q in group for k in q.keys]
    messages = {k: m for q in group for k, m in q.messages.items()}
    try:
        Dispatcher(services).send_now(keys, messages)
    except Exception:  # the rows stay pending (or return to it when the claim's lease ends)
        log.exception("%d queued messages: not sent at once; the scheduler will", len(messages))
        services.waker(plan=False, messages=messages)
