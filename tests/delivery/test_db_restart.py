"""PostgreSQL restarts while a worker is mid-tick (its connections are terminated and, for a
moment, none are accepted): once it answers again, the surviving worker records what it sent
and gives back the rest of its claims at once, instead of leaving them to its two-minute lease."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.delivery.dispatcher import Dispatcher
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TEAM, TOKEN, Bot

SEEDS = 10


class RestartAfter(WebClient):
    """A client that, right after its nth post reached Slack, has the database restart."""

    def __init__(self, api_url: str, nth: int, restart: Any) -> None:
        super().__init__(token=TOKEN, base_url=api_url)
        self.nth, self.restart, self.posts = nth, restart, 0

    def chat_postMessage(self, **kwargs: Any) -> Any:
        response = super().chat_postMessage(**kwargs)
        self.posts += 1
        if self.posts == self.nth:
            self.restart()
        return response


def _seed(bot: Bot) -> None:
    now = bot.clock.now()
    people = (OMAR, MAYA, LENA, KAI)
    rows = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id=people[i % len(people)],
            occurrence_key=f"seed:{i}",
            due_at=now,
            payload={"text": f"seeded message {i:05d}"},
        )
        for i in range(SEEDS)
    ]
    with bot.sessions.begin() as s:
        assert add_deliveries(s, rows, now) == SEEDS


def _statuses(bot: Bot) -> Counter[tuple[str, str | None]]:
    with bot.sessions() as s:
        return Counter((d.status, d.lease_owner) for d in s.scalars(select(Delivery)))


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_worker_that_survives_a_restart_finishes_or_releases_its_claims(
    bot: Bot, db_url: str, admin: Engine
) -> None:
    name = make_url(db_url).database

    def restart() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )

    _seed(bot)
    client = RestartAfter(bot.standin.api_url, nth=3, restart=restart)
    worker = Dispatcher(bot.runtime.services, owner="worker-a", client=client)
    try:
        with pytest.raises(OperationalError):
            worker.tick()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    # The third message reached Slack but its row could not be written; the other seven were
    # claimed and never handed to Slack. All are still the worker's.
    assert _statuses(bot) == {
        ("sent", None): 2,
        ("sending", "worker-a"): 1,
        ("claimed", "worker-a"): SEEDS - 3,
    }

    stats = worker.tick()  # the next heartbeat, long before the lease runs out
    assert _statuses(bot) == {("sent", None): SEEDS}
    assert stats.sent == SEEDS - 3
    posted = Counter(m.text for m in bot.standin.messages if m.text.startswith("seeded message"))
    assert len(posted) == SEEDS and set(posted.values()) == {1}  # each exactly once
    with bot.sessions() as s:
        rows = list(s.scalars(select(Delivery)))
    assert all(d.ts and d.channel for d in rows)  # the third one's Slack ts was kept
    assert {d.attempts for d in rows} == {1}
