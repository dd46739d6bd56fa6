"""The stand-in's Slack-like rate limits: token buckets, Retry-After, the 429 on the wire, and the
dispatcher draining a backlog under them."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.core.clock import SimulatedClock
from bot.delivery.dispatcher import Dispatcher
from bot.standin import SlackStandIn
from bot.standin.limits import METHOD_TIERS, SlackLimits, TokenBucket
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.reference import load
from tests.kit.workspace import TEAM, Bot

MAYA, OMAR = "U0MAYA0001", "U0OMAR0001"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_starts_full_and_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3)
    for _ in range(3):
        assert bucket.wait(0.0) == 0.0
        bucket.take()
    assert bucket.wait(0.0) == pytest.approx(0.5)
    assert bucket.wait(0.25) == pytest.approx(0.25)
    assert bucket.wait(10.0) == 0.0
    assert bucket.tokens == 3  # never more than the burst
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)


def test_post_message_is_limited_per_channel_with_a_burst() -> None:
    t = FakeTime()
    limits = SlackLimits(post_per_channel_per_second=1, post_channel_burst=3, clock=t)
    assert [limits.check("chat.postMessage", "D1") for _ in range(4)] == [0, 0, 0, 1]
    assert limits.check("chat.postMessage", "D2") == 0  # another channel has its own budget
    t.now += 1.0
    assert limits.check("chat.postMessage", "D1") == 0
    assert limits.check("chat.postMessage", "D1") == 1
    assert limits.limited["chat.postMessage"] == 2
    assert limits.allowed["chat.postMessage"] == 5


def test_post_message_has_a_workspace_cap_across_channels() -> None:
    t = FakeTime()
    limits = SlackLimits(post_workspace_per_minute=120, post_workspace_burst=5, clock=t)
    answers = [limits.check("chat.postMessage", f"D{i}") for i in range(8)]
    assert answers == [0] * 5 + [1] * 3  # 2/s: the next token comes in half a second
    t.now += 2.0  # 4 tokens back
    assert [limits.check("chat.postMessage", f"E{i}") for i in range(5)] == [0, 0, 0, 0, 1]
    # Over a long run the cap holds: one minute lets through the burst plus 120.
    t2 = FakeTime()
    capped = SlackLimits(post_workspace_per_minute=120, post_workspace_burst=5, clock=t2)
    sent = 0
    for step in range(6000):
        t2.now = 1000.0 + step * 0.01
        sent += capped.check("chat.postMessage", f"D{step}") == 0
    assert 120 <= sent <= 126


def test_tiers_limit_other_methods_and_retry_after_is_whole_seconds() -> None:
    t = FakeTime()
    limits = SlackLimits(tier_burst_seconds=6, clock=t)  # Tier 3: 50/min, a burst of 5
    assert [limits.check("conversations.open") for _ in range(6)] == [0] * 5 + [2]
    assert limits.check("users.info") == 0  # Tier 4 has its own bucket
    assert limits.check("auth.test") == 0  # not limited here
    t.now += 1.2
    assert limits.check("conversations.open") == 0


def test_method_tiers_match_slacks_published_tiers() -> None:
    published = load("java-slack-sdk/rate_limit_tiers.json")
    for method, tier in METHOD_TIERS.items():
        assert published[method] == f"Tier{tier}", method
    assert published["chat.postMessage"] == "SpecialTier_chat_postMessage"


def test_the_stand_in_answers_429_with_retry_after_and_posts_nothing() -> None:
    with SlackStandIn(bot_token="xoxb-t") as standin:
        standin.add_user(MAYA, "maya")
        standin.add_user(OMAR, "omar")
        standin.limits = SlackLimits(post_per_channel_per_second=0.5, post_channel_burst=2)
        client = WebClient(token="xoxb-t", base_url=standin.api_url)
        client.chat_postMessage(channel=MAYA, text="one")
        client.chat_postMessage(channel=standin.dm_channel_id(MAYA), text="two")  # same DM
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel=MAYA, text="three")
        assert err.value.response.status_code == 429
        assert err.value.response["error"] == "ratelimited"
        assert err.value.response.headers["Retry-After"] == "2"
        client.chat_postMessage(channel=OMAR, text="to someone else")
        assert [m.text for m in standin.dm_messages(MAYA)] == ["one", "two"]
        standin.limits = None
        client.chat_postMessage(channel=MAYA, text="three")
        assert len(standin.dm_messages(MAYA)) == 3


def test_a_running_dispatcher_waits_out_429s_and_sends_everything_once(bot: Bot) -> None:
    """Under Slack's workspace cap the dispatcher's tick waits out each Retry-After and goes on,
    instead of ending and leaving the backlog to the next heartbeat."""
    people = [f"U0LIMIT{i:03d}" for i in range(25)]
    for user_id in people:
        bot.standin.add_user(user_id, user_id.lower())
    now = bot.clock.now()
    rows = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id=user_id,
            occurrence_key=f"limited:{i}",
            due_at=now,
            payload={"text": f"limited message {i}"},
        )
        for i, user_id in enumerate(people)
    ]
    with bot.sessions.begin() as s:
        add_deliveries(s, rows, now)
    # 20 messages at once, then 2 a second: a call after the burst gets Retry-After: 1.
    bot.standin.limits = SlackLimits(post_workspace_per_minute=120, post_workspace_burst=20)
    running = replace(bot.runtime.services, clock=SimulatedClock(now))  # time runs by itself
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    dispatcher = Dispatcher(running, owner="limited")
    dispatcher.sleep = sleep
    stats = dispatcher.tick()
    assert stats.sent == 25 and stats.rate_limits >= 1 and waits and set(waits) == {1.0}
    posted = Counter(m.text for m in bot.standin.messages if m.text.startswith("limited message"))
    assert posted == Counter(f"limited message {i}" for i in range(25))
    with bot.sessions() as s:
        sent = s.scalars(select(Delivery).where(Delivery.occurrence_key.like("limited:%"))).all()
    assert {(d.status, d.attempts) for d in sent} == {("sent", 1)}  # a 429 is not an attempt


def test_a_busy_channel_holds_back_only_its_own_posts(bot: Bot) -> None:
    """Announcements to one channel meet its limit (about 1 a second): the tick holds that
    channel back and goes on with the DMs, instead of pausing everyone for Retry-After."""
    people = [f"U0HOLD{i:04d}" for i in range(6)]
    for user_id in people:
        bot.standin.add_user(user_id, user_id.lower())
    bot.standin.add_channel("C0BUSY0001", "busy", members=[bot.standin.bot_user_id])
    now = bot.clock.now()
    to_channel = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id="C0BUSY0001",
            occurrence_key=f"busy:{i}",
            due_at=now,
            payload={"text": f"channel post {i}"},
        )
        for i in range(6)
    ]
    to_people = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id=user_id,
            occurrence_key=f"dm:{i}",
            due_at=now,
            payload={"text": f"direct message {i}"},
        )
        for i, user_id in enumerate(people)
    ]
    with bot.sessions.begin() as s:
        add_deliveries(
            s, [r for pair in zip(to_channel, to_people, strict=True) for r in pair], now
        )
    bot.standin.limits = SlackLimits(post_per_channel_per_second=1, post_channel_burst=2)
    running = replace(bot.runtime.services, clock=SimulatedClock(now))
    waits: list[float] = []
    dispatcher = Dispatcher(running, owner="busy")
    dispatcher.sleep = waits.append  # a pause would show here
    stats = dispatcher.tick()
    assert waits == []  # nobody waited for the channel's Retry-After
    posted = Counter(m.text for m in bot.standin.messages)
    assert all(posted[f"direct message {i}"] == 1 for i in range(6))  # every DM went out
    assert sum(posted[f"channel post {i}"] for i in range(6)) == 2  # the channel's burst
    assert stats.rate_limits == 1 and stats.held_back == 3  # one 429, then no more calls
    # The held posts go out once the channel may be posted to again, each once.
    deadline = time.monotonic() + 15
    while sum(posted[f"channel post {i}"] for i in range(6)) < 6 and time.monotonic() < deadline:
        time.sleep(0.3)
        dispatcher.tick()
        posted = Counter(m.text for m in bot.standin.messages)
    assert [posted[f"channel post {i}"] for i in range(6)] == [1] * 6
