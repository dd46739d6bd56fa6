"""Several senders in one worker (`[scheduler] senders`): each claims the due rows of its own
pairs, every row goes out once, and each pair's messages keep their order."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.senders import Senders, default_senders
from bot.heartbeat import Heartbeat
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries, claim_due
from tests.kit.scenario import plan, start
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TEAM, Bot

BOTH = [
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("sqlite", id="sqlite"),
]
LEASE = timedelta(minutes=2)


def _pairs(bot: Bot) -> list[int]:
    """Two pairs (ids one odd, one even), their summaries sent."""
    first = start(bot, OMAR, plan())
    second = start(bot, LENA, plan(Mentor=LENA, Mentee=KAI))
    assert {first % 2, second % 2} == {0, 1}
    return [first, second]


def _seed(bot: Bot, pairs: list[int], n: int) -> dict[str, int]:
    """`n` notices due now, alternating between the pairs and, every third, no pair; due one
    second apart in the order of their number. Their text, with the pair (0 for none)."""
    now = bot.clock.now()
    people = {pairs[0]: (OMAR, MAYA), pairs[1]: (LENA, KAI)}
    rows, of_pair = [], {}
    for i in range(n):
        pair = None if i % 3 == 2 else pairs[i % 2]
        text = f"seeded message {i:05d}"
        rows.append(
            NewDelivery(
                team_id=TEAM,
                kind="notice",
                recipient_id=people[pair][(i // 2) % 2] if pair else KAI,
                occurrence_key=f"seed:{i}",
                due_at=now - timedelta(seconds=n - i),
                payload={"text": text},
                pair_id=pair,
            )
        )
        of_pair[text] = pair or 0
    with bot.sessions.begin() as s:
        assert add_deliveries(s, rows, now) == n
    return of_pair


@pytest.mark.parametrize("db_url", BOTH, indirect=True)
def test_claims_take_only_their_share_of_the_pairs(bot: Bot, db_url: str) -> None:
    pairs = _pairs(bot)
    of_pair = _seed(bot, pairs, 30)
    engine = bot.runtime.engine
    now = bot.clock.now()
    odd = claim_due(engine, "odd", now, LEASE, 100, (1, 2))
    even = claim_due(engine, "even", now, LEASE, 100, (0, 2))
    with bot.sessions() as s:
        pair_of = {i: p for i, p in s.execute(select(Delivery.id, Delivery.pair_id))}
    assert odd and even and not set(odd) & set(even)
    assert {(pair_of[i] or 0) % 2 for i in odd} == {1}
    assert {(pair_of[i] or 0) % 2 for i in even} == {0}
    assert None in {pair_of[i] for i in even}  # rows of no pair count as pair 0
    assert len(odd) + len(even) == len(of_pair)  # nothing else was due
    with pytest.raises(ValueError, match="share"):
        claim_due(engine, "bad", now, LEASE, 100, (2, 2))


@pytest.mark.parametrize("db_url", BOTH, indirect=True)
def test_two_senders_send_each_row_once_and_each_pairs_in_order(
    bot: Bot, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = _pairs(bot)
    n = 300 if db_url.startswith("postgresql") else 120
    of_pair = _seed(bot, pairs, n)
    claims: list[tuple[tuple[int, int], list[int]]] = []

    def recorded(*args: Any) -> list[int]:
        ids = claim_due(*args)
        claims.append((args[5], ids))
        return ids

    monkeypatch.setattr("bot.delivery.dispatcher.claim_due", recorded)
    senders = Senders(bot.runtime.services, 2)
    for dispatcher in senders.dispatchers:
        dispatcher.batch = 10  # several batches each: the two run side by side for a while
    sent = 0
    while (stats := senders.tick()).sent:
        sent += stats.sent
    assert sent == n

    posted = [m.text for m in bot.standin.messages if m.text.startswith("seeded message")]
    assert len(posted) == n and max(Counter(posted).values()) == 1
    for pair in (0, *pairs):  # each pair's (and the pair-less) messages in the order due
        texts = [t for t in posted if of_pair[t] == pair]
        assert texts == sorted(texts), pair
    with bot.sessions() as s:
        pair_of = {i: p for i, p in s.execute(select(Delivery.id, Delivery.pair_id))}
        seeded = s.scalars(select(Delivery.status).where(Delivery.occurrence_key.like("seed:%")))
        assert Counter(seeded) == {"sent": n}
    by_share: dict[int, set[int]] = {0: set(), 1: set()}
    for (part, parts), ids in claims:
        assert parts == 2
        by_share[part] |= {(pair_of[i] or 0) % 2 for i in ids}
    assert by_share == {0: {0}, 1: {1}}  # each sender only ever claimed its own pairs' rows


@pytest.mark.parametrize("db_url", BOTH, indirect=True)
def test_the_worker_sends_with_two_on_postgresql_and_one_on_sqlite(bot: Bot, db_url: str) -> None:
    services = bot.runtime.services
    expected = 2 if db_url.startswith("postgresql") else 1
    assert default_senders(services) == expected
    beat = Heartbeat(services, tick_seconds=3600)
    assert isinstance(beat.dispatcher, Senders)
    assert [d.share for d in beat.dispatcher.dispatchers] == [
        (i, expected) for i in range(expected)
    ]
    owners = {d.owner for d in beat.dispatcher.dispatchers}
    assert len(owners) == expected  # a claim is each sender's own
    budgets = {id(d.people_budget) for d in beat.dispatcher.dispatchers}
    assert len(budgets) == 1  # users.info refreshes: one budget for the process
    beat.dispatcher.stop()
    assert beat.dispatcher.stopping and beat.dispatcher.tick().sent == 0
