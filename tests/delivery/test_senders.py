"""Several senders in one worker (`[scheduler] senders`): each claims the due rows of its own
pairs, every row goes out once, and each pair's messages keep their order."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import SimulatedClock
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.hold import Hold
from bot.delivery.senders import Senders, default_senders
from bot.heartbeat import Heartbeat
from bot.standin.limits import SlackLimits
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
        claims.append((args[-1], ids))
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
    holds = {id(d.hold) for d in beat.dispatcher.dispatchers}
    assert len(holds) == 1  # one sender's 429 holds them all
    assert (beat.dispatcher.dispatchers[0].hold is None) == (expected == 1)
    beat.dispatcher.stop()
    assert beat.dispatcher.stopping and beat.dispatcher.tick().sent == 0


class RecordingHold(Hold):
    def __init__(self) -> None:
        super().__init__()
        self.held: list[float] = []

    def hold(self, seconds: float) -> None:
        self.held.append(seconds)
        super().hold(seconds)


def _notices(bot: Bot, n: int, prefix: str) -> None:
    now = bot.clock.now()
    rows = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id=(OMAR, MAYA, LENA, KAI)[i % 4],
            occurrence_key=f"{prefix}:{i}",
            due_at=now,
            payload={"text": f"{prefix} message {i}"},
        )
        for i in range(n)
    ]
    with bot.sessions.begin() as s:
        add_deliveries(s, rows, now)


def test_a_sender_waits_out_a_429_another_sender_met(bot: Bot) -> None:
    """Another sender of the worker was told to wait (`Hold`): this one waits the rest of it
    before its first post, instead of meeting the limit itself."""
    _notices(bot, 3, "held")
    running = replace(bot.runtime.services, clock=SimulatedClock(bot.clock.now()))
    hold = Hold()
    hold.hold(0.3)
    before = len(bot.standin.messages)
    waits: list[tuple[float, int]] = []

    def sleep(seconds: float) -> None:
        waits.append((seconds, len(bot.standin.messages) - before))
        time.sleep(seconds)

    dispatcher = Dispatcher(running, owner="held", hold=hold)
    dispatcher.sleep = sleep
    stats = dispatcher.tick()
    assert stats.sent == 3 and stats.rate_limits == 0
    [(seconds, posted_before)] = waits
    assert 0.1 < seconds <= 0.3 and posted_before == 0  # the wait came before any post
    assert stats.waited == seconds


def test_a_429_at_the_workspace_cap_holds_the_other_senders(bot: Bot) -> None:
    """Slack's cap for the workspace answers 429 with Retry-After: the sender that met it holds
    the worker's other senders for that long, then waits it out itself and goes on."""
    _notices(bot, 4, "capped")
    bot.standin.limits = SlackLimits(post_workspace_per_minute=60, post_workspace_burst=2)
    running = replace(bot.runtime.services, clock=SimulatedClock(bot.clock.now()))
    hold = RecordingHold()
    dispatcher = Dispatcher(running, owner="capped", hold=hold)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    dispatcher.sleep = sleep
    stats = dispatcher.tick()
    assert stats.sent == 4 and stats.rate_limits >= 1
    assert hold.held and hold.held == [1.0] * stats.rate_limits
    assert waits[0] == 1.0  # its own pause, as without a hold


def test_a_manual_clock_never_holds(bot: Bot) -> None:
    """With a clock that does not run by itself a 429 ends the tick and whoever moves the clock
    ticks again; a hold in real seconds would stop that next tick too, so none is set."""
    _notices(bot, 4, "manual")
    bot.standin.limits = SlackLimits(post_workspace_per_minute=60, post_workspace_burst=2)
    hold = RecordingHold()
    dispatcher = Dispatcher(bot.runtime.services, owner="manual", hold=hold)
    stats = dispatcher.tick()
    assert stats.rate_limits == 1 and stats.sent == 2 and hold.held == []
