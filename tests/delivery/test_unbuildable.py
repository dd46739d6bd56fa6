"""A message that cannot be built within Slack's limits (issue 11): caught before its row is
marked `sending`, so it fails with a logged reason instead of ending `unknown`; the plan's
creator is told; and the rest of the batch goes out in the same tick."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.delivery.dispatcher import MAX_ATTEMPTS, Dispatcher
from bot.delivery.render import Job, Kind, Reading, Rendered, Skip
from storage.models import Delivery
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.scenario import deliveries, plan, start
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TEAM, Bot

POST = "chat.postMessage"
SECRET = "a private goal nobody else should read "


def too_long(r: Reading, job: Job) -> Rendered | Skip:
    """A renderer whose section overflows (as the plan summary's goals once did): a slack_sdk
    object, which slack_sdk refuses to serialise."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=SECRET * 100))]
    return Rendered("too long", blocks)


def too_many(r: Reading, job: Job) -> Rendered | Skip:
    """Plain JSON blocks, which slack_sdk sends unchecked: 51 of them, and Slack refuses."""
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    return Rendered("too many", [block] * 51)


def crashing(r: Reading, job: Job) -> Rendered | Skip:
    raise ValueError("the renderer has a bug")


KINDS = {
    "t_too_long": Kind(too_long, "the test message"),
    "t_too_many": Kind(too_many, "the other test message"),
    "t_crashing": Kind(crashing, "the crashing message"),
}


def with_test_kinds(bot: Bot) -> Dispatcher:
    services = bot.runtime.services
    services = replace(services, kinds={**services.kinds, **KINDS})
    return Dispatcher(services, owner="test-unbuildable", batch=20)


def seed(bot: Bot, pair_id: int, kinds: list[str], notices: int) -> None:
    now = bot.clock.now()
    people = (OMAR, MAYA, LENA, KAI)
    rows = [
        NewDelivery(TEAM, kind, MAYA, f"t:{kind}", now, pair_id=pair_id, payload={})
        for kind in kinds
    ]
    rows += [
        NewDelivery(TEAM, "notice", people[i % 4], f"t:n{i}", now, payload={"text": f"note {i}"})
        for i in range(notices)
    ]
    with bot.sessions.begin() as s:
        add_deliveries(s, rows, now)


def test_one_unbuildable_row_fails_alone_and_the_rest_go_out_in_the_same_tick(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    pair_id = start(bot, OMAR, plan())
    bot.tick()  # the plan summaries
    dispatcher = with_test_kinds(bot)
    seed(bot, pair_id, ["t_too_long", "t_too_many"], notices=12)
    posts_before = len(bot.standin.calls_to(POST))
    with caplog.at_level(logging.ERROR, logger="bot.delivery.dispatcher"):
        stats = dispatcher.tick()
    assert stats.failed == 2 and stats.unknown == 0
    assert stats.errors == {"unbuildable": 2}
    # All twelve others went out in this tick; the two were never offered to Slack.
    sent = [c["text"] for c in bot.standin.calls_to(POST)[posts_before:]]
    assert sorted(t for t in sent if t.startswith("note")) == sorted(f"note {i}" for i in range(12))
    assert not [t for t in sent if t.startswith("too")]
    rows = {d.kind: d for d in deliveries(bot) if d.kind.startswith("t_")}
    assert rows["t_too_long"].status == rows["t_too_many"].status == "failed"
    assert rows["t_too_long"].last_error == (
        "unbuildable: blocks/0: text attribute cannot exceed 3000 characters"
    )
    assert rows["t_too_many"].last_error == "unbuildable: blocks: 51 blocks, at most 50"
    assert all(d.sent_at is None for d in rows.values())
    # The operator reads why; nobody reads the text of the message.
    logged = [r.getMessage() for r in caplog.records]
    assert any("breaks Slack's limits: blocks: 51 blocks, at most 50" in m for m in logged)
    assert not [m for m in logged if SECRET.strip() in m]
    # Omar created the plan: he hears of it once (once per problem with Maya's messages).
    dispatcher.tick()
    told = [m.text for m in bot.standin.dm_messages(OMAR) if m.text.startswith("I couldn't")]
    assert told == [
        "I couldn't send the test message to Maya: it came out bigger than Slack accepts"
        " — my mistake, not yours. Whoever runs me finds the details in my log; shorter goals"
        " (✏️ Edit plan on my Home tab) may get the next one through."
    ]


def test_a_renderer_that_keeps_failing_is_retried_then_fails_and_the_creator_hears(
    bot: Bot,
) -> None:
    pair_id = start(bot, OMAR, plan())
    bot.tick()
    dispatcher = with_test_kinds(bot)
    seed(bot, pair_id, ["t_crashing"], notices=3)
    stats = dispatcher.tick()
    assert (stats.retried, stats.sent) == (1, 3)  # the others are not held up
    for _ in range(MAX_ATTEMPTS):
        bot.clock.advance(timedelta(minutes=10))
        dispatcher.tick()
    [row] = [d for d in deliveries(bot) if d.kind == "t_crashing"]
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error == "ValueError: the renderer has a bug"
    dispatcher.tick()
    told = [m.text for m in bot.standin.dm_messages(OMAR) if m.text.startswith("I couldn't")]
    assert told == [
        "I couldn't send the crashing message to Maya: something went wrong while I wrote it"
        " — my mistake, not yours. Whoever runs me finds the details in my log."
    ]
    with bot.sessions() as s:
        assert s.get(Delivery, row.id) is not None
