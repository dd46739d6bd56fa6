"""A dispatcher that loses its database mid-tick (a PostgreSQL restart, a dropped connection)
keeps what only it knows and writes it once the database answers again, instead of leaving its
claimed rows to wait out their lease (`[scheduler] lease_seconds`, two minutes by default).

What only it knows: the outcome of a message it handed to Slack but could not record (sent,
failed, ...), and that a row whose move to `sending` failed was never handed to Slack. Every
other row it still holds as `claimed` was never handed to Slack either and goes back to pending.
A row it holds as `sending` without a known outcome is left to its lease, which marks it
`unknown`: never sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.services import Services
from storage.outbox import finish, release_claims

log = logging.getLogger(__name__)
OnSent = Callable[[Services], None] | None  # what a sent message does next (Rendered.on_sent)


@dataclass
class Outcome:
    """What should have been written for one of our rows: `finish(status, **values)`."""

    status: str
    values: dict[str, Any]
    on_sent: OnSent = None


@dataclass
class Unrecorded:
    """Outcomes a dispatcher could not write, and whether its last tick lost the database."""

    outcomes: dict[int, Outcome] = field(default_factory=dict)
    lost_database: bool = False

    def remember(
        self,
        delivery_id: int,
        status: str,
        values: dict[str, Any],
        on_sent: OnSent = None,
    ) -> None:
        """Keep an outcome that could not be written (the database went away)."""
        self.outcomes[delivery_id] = Outcome(status, values, on_sent)

    def not_sent(self, delivery_id: int, due_at: datetime, now: datetime) -> None:
        """A row that was never handed to Slack goes back to pending, its attempt uncounted."""
        self.remember(
            delivery_id, "pending", {"now": now, "retry_at": due_at, "count_attempt": False}
        )

    def recover(self, services: Services, owner: str) -> tuple[int, int]:
        """Write the kept outcomes and release `owner`'s other claims, in one transaction;
        return (outcomes written, claims released). Raises, keeping everything, while the
        database is still away."""
        with services.sessions.begin() as session:
            written = sum(
                finish(session, delivery_id, owner, o.status, **o.values)
                for delivery_id, o in self.outcomes.items()
            )
            released = release_claims(session, owner)
        done, self.outcomes, self.lost_database = list(self.outcomes.values()), {}, False
        for outcome in done:
            if outcome.on_sent is not None:
                outcome.on_sent(services)
        log.warning(
            "database back: recorded %d outcomes kept while it was away and returned %d "
            "claimed messages to waiting",
            written,
            released,
        )
        return written, released
