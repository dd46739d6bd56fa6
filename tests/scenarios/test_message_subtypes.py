"""Every message event shape Slack records (shared/slack-reference/java-slack-sdk/events/Message*)
reaches the bot as Slack would send it into a DM with an open reflection prompt: plain replies
answer, edits update, deletions remove, and bot messages, file shares, thread broadcasts and thread
chatter are handled without crashing and without being taken as answers (thread replies get one
line saying how to answer, other bots nothing)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import ReflectionAnswer
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.reference import load
from tests.kit.workspace import MAYA, OMAR, TEAM, Bot, wait_for


def reference_event(name: str) -> dict[str, Any]:
    """The inner event of a payload Slack recorded (a copy: tests fill it in)."""
    event: dict[str, Any] = json.loads(json.dumps(load(f"java-slack-sdk/events/{name}")["event"]))
    return event


def fill(
    event: dict[str, Any], *, channel: str, ts: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """Give the masked recording real values: Maya's DM, fresh timestamps, no stray ids."""
    filled = dict(event)
    filled.update(channel=channel, ts=ts, event_ts=ts, channel_type="im")
    for key in ("user",):
        if key in filled:
            filled[key] = MAYA
    if "team" in filled:
        filled["team"] = TEAM
    if "client_msg_id" in filled:
        filled["client_msg_id"] = str(uuid.uuid4())
    for key in ("bot_id", "bot_profile", "parent_user_id", "edited", "metadata"):
        if filled.get("subtype") != "bot_message":
            filled.pop(key, None)
    if thread_ts is None:
        filled.pop("thread_ts", None)
    else:
        filled["thread_ts"] = thread_ts
    return filled


def answers(bot: Bot) -> list[ReflectionAnswer]:
    with bot.sessions() as s:
        return list(
            s.scalars(
                select(ReflectionAnswer)
                .where(ReflectionAnswer.question_key.is_not(None))
                .order_by(ReflectionAnswer.id)
            )
        )


def test_every_recorded_message_shape(
    slack_reference: Path, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))  # Maya's kickoff prompt is open
    channel = bot.standin.dm_channel_id(MAYA)
    sent = len(bot.standin.dm_messages(MAYA))

    # A plain reply (MessagePayload) answers question 1.
    first_ts = "1804000000.000100"
    plain = fill(reference_event("MessagePayload.json"), channel=channel, ts=first_ts) | {
        "text": "Grow as a lead"
    }
    assert bot.driver.send_event(plain).status == 200
    wait_for(lambda: len(bot.standin.dm_messages(MAYA)) > sent, what="question 2")
    assert dm_texts(bot, MAYA)[-1].startswith("*2/3:*")
    sent = len(bot.standin.dm_messages(MAYA))

    # Other bots, thread broadcasts and thread chatter are not answers.
    bot_msg = fill(
        reference_event("MessageBotPayload.json"), channel=channel, ts="1804000000.000200"
    )
    bot_msg["bot_id"] = "B0OTHERBOT1"
    broadcast = fill(
        reference_event("MessageThreadBroadcastPayload.json"),
        channel=channel,
        ts="1804000000.000300",
        thread_ts=first_ts,
    )
    chatter = fill(
        reference_event("MessagePayload.json"),
        channel=channel,
        ts="1804000000.000400",
        thread_ts=first_ts,
    ) | {"text": "by the way"}
    for event in (bot_msg, broadcast, chatter):
        assert bot.driver.send_event(event).status == 200
    # Neither is taken as an answer: the broadcast and the chatter each get one line, in their
    # thread, saying how to answer; the other bot gets nothing.
    wait_for(lambda: len(bot.standin.dm_messages(MAYA)) >= sent + 2, what="two thread hints")
    hints = bot.standin.dm_messages(MAYA)[sent:]
    assert [(m.text.startswith("I don't read replies in threads"), m.thread_ts) for m in hints] == [
        (True, first_ts),
        (True, first_ts),
    ]
    sent += 2
    # A file without text gets a short hint and does not advance.
    share = fill(
        reference_event("MessageFileSharePayload.json"), channel=channel, ts="1804000000.000500"
    ) | {"text": ""}
    assert bot.driver.send_event(share).status == 200
    wait_for(lambda: len(bot.standin.dm_messages(MAYA)) > sent, what="the file hint")
    assert (
        dm_texts(bot, MAYA)[-1]
        == "I can only read typed answers — please write yours as a message."
    )
    assert len(bot.standin.dm_messages(MAYA)) == sent + 1
    assert [(a.question_key, a.text) for a in answers(bot)] == [("expectations", "Grow as a lead")]

    # An edit (MessageChangedPayload) updates the stored answer.
    changed = fill(
        reference_event("MessageChangedPayload.json"), channel=channel, ts="1804000000.000600"
    )
    changed["message"] = fill(changed["message"], channel=channel, ts=first_ts) | {
        "text": "Grow as a tech lead"
    }
    changed["previous_message"] = fill(
        changed["previous_message"], channel=channel, ts=first_ts
    ) | {"text": "Grow as a lead"}
    assert bot.driver.send_event(changed).status == 200
    wait_for(lambda: answers(bot)[0].text == "Grow as a tech lead", what="the edit")
    # A deletion (MessageDeletedPayload) removes its text.
    deleted = fill(
        reference_event("MessageDeletedPayload.json"), channel=channel, ts="1804000000.000700"
    )
    deleted["deleted_ts"] = first_ts
    deleted["previous_message"] = fill(deleted["previous_message"], channel=channel, ts=first_ts)
    assert bot.driver.send_event(deleted).status == 200
    wait_for(lambda: answers(bot)[0].deleted, what="the deletion")
    assert answers(bot)[0].text is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]
