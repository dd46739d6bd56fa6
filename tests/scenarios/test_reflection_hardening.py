"""Reflection conversations against what Slack really does (issue 11): a prompt whose post
timed out, Slack's tombstone for a deleted DM with thread replies, edits and deletions from
someone else, thread replies and `/me` messages, Share for a prompt never asked, a form that
names no prompt of the person's, and a mentorship ended while a prompt is open."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.home.view import HOME_END
from bot.reflections.messages import SHARE
from bot.standin import events
from storage.models import Delivery, Pair, ReflectionAnswer, ReflectionPrompt
from tests.kit.home import after_home_change, open_home
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import MAYA, OMAR, TEAM, Bot, wait_for

POST = "chat.postMessage"
KICKOFF_ASKED = datetime(2027, 3, 2, 18, tzinfo=UTC)  # both kickoff prompts went at 16:00 UTC
THREAD_HINT = (
    "I don't read replies in threads — please write your answer to question 2/3 "
    "in our main chat (or `skip`, `stop`)."
)
ME_HINT = (
    "I don't take `/me` messages as answers — please write your answer to question 2/3 "
    "as a normal message (or `skip`, `stop`)."
)
NOTHING_OPEN = "There's nothing for you to answer right now"


def bot_messages(bot: Bot, user: str) -> list[Any]:
    """Everything the bot posted in its DM with `user`, threads included."""
    return bot.standin.dm_messages(user)


def reply(bot: Bot, user: str, text: str) -> str:
    """`user` writes a top-level DM and the bot answers it; the DM's ts."""
    before = len(bot_messages(bot, user))
    _, ts = bot.driver.user_dm(user, text)
    wait_for(lambda: len(bot_messages(bot, user)) > before, what="the bot's reply")
    return ts


def answers(bot: Bot, user: str) -> list[ReflectionAnswer]:
    with bot.sessions() as s:
        return list(
            s.scalars(
                select(ReflectionAnswer)
                .where(ReflectionAnswer.user_id == user, ReflectionAnswer.question_key.is_not(None))
                .order_by(ReflectionAnswer.id)
            )
        )


def prompts(bot: Bot, user: str) -> list[ReflectionPrompt]:
    with bot.sessions() as s:
        stmt = select(ReflectionPrompt).where(ReflectionPrompt.user_id == user)
        return list(s.scalars(stmt.order_by(ReflectionPrompt.milestone_id)))


def prompt_to(user: str) -> Callable[[dict[str, Any]], bool]:
    """Matches the chat.postMessage of `user`'s kickoff prompt."""
    return lambda params: params.get("channel") == user and "kicked off" in str(params.get("text"))


def kickoff_open(bot: Bot) -> None:
    """Omar starts the short plan; both kickoff prompts go out after the first meeting."""
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, KICKOFF_ASKED)
    assert dm_texts(bot, MAYA)[-1].startswith("🎉 Your mentorship with *Omar* has kicked off")


def test_a_prompt_whose_post_timed_out_takes_replies_and_gets_its_reminder(bot: Bot) -> None:
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, datetime(2027, 3, 2, 15, tzinfo=UTC))
    # The connection breaks on both prompts: Maya's after Slack posted it, Omar's before.
    bot.standin.drop_connection_next(POST, after_processing=True, where=prompt_to(MAYA))
    bot.standin.drop_connection_next(POST, after_processing=False, where=prompt_to(OMAR))
    run_until(bot, KICKOFF_ASKED)
    with bot.sessions() as s:
        rows = s.scalars(
            select(Delivery).where(
                Delivery.kind == "reflection_prompt", Delivery.due_at < KICKOFF_ASKED
            )
        ).all()
        assert {r.recipient_id: r.status for r in rows} == {MAYA: "unknown", OMAR: "unknown"}
    # Maya got it and answers: the prompt is open, so her answer counts.
    assert "has kicked off" in dm_texts(bot, MAYA)[-1]
    reply(bot, MAYA, "Grow into a tech lead")
    assert dm_texts(bot, MAYA)[-1].startswith("*2/3:*")
    assert [(a.question_key, a.text) for a in answers(bot, MAYA)] == [
        ("expectations", "Grow into a tech lead")
    ]
    # Omar never saw his; the one reminder, 48 hours later, brings him the question.
    assert not [t for t in dm_texts(bot, OMAR) if "kicked off" in t or "still open" in t]
    run_until(bot, datetime(2027, 3, 4, 17, tzinfo=UTC))
    reminder = [t for t in dm_texts(bot, OMAR) if "still open" in t]
    assert len(reminder) == 1 and "*1/3:*" in reminder[0], dm_texts(bot, OMAR)[-3:]
    reply(bot, OMAR, "Share what I know about design reviews")
    assert dm_texts(bot, OMAR)[-1].startswith("*2/3:*")


def test_deleting_an_answer_that_has_thread_replies_deletes_the_answer(bot: Bot) -> None:
    kickoff_open(bot)
    first = reply(bot, MAYA, "Grow into a tech lead")
    before = len(bot_messages(bot, MAYA))
    bot.driver.send_message_event(MAYA, text="more on that later", thread_ts=first)
    wait_for(lambda: len(bot_messages(bot, MAYA)) > before, what="the thread hint")
    # Slack keeps a message with replies as its tombstone and sends message_changed for it.
    assert bot.driver.delete_dm(MAYA, first).status == 200
    wait_for(lambda: answers(bot, MAYA)[0].deleted, what="the tombstone to delete the answer")
    [answer] = answers(bot, MAYA)
    assert answer.text is None and answer.question_key == "expectations"
    # The rest of the conversation goes on; the summary leaves the deleted answer out.
    for text in ("skip", "Weekly calls"):
        reply(bot, MAYA, text)
    thanks = next(m for m in bot_messages(bot, MAYA) if m.text.startswith("✅ Thanks"))
    shown = json.dumps(thanks.blocks)
    assert "This message was deleted" not in shown and "Weekly calls" in shown


def test_edits_and_deletions_count_only_from_the_answers_workspace_and_author(
    bot: Bot,
) -> None:
    kickoff_open(bot)
    first = reply(bot, MAYA, "Grow into a tech lead")
    channel = bot.standin.dm_channel_id(MAYA)
    mine = {"type": "message", "user": MAYA, "text": "Grow into a tech lead", "ts": first}
    forged_edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "channel_type": "im",
        "hidden": True,
        "message": {**mine, "user": OMAR, "text": "Someone else's words"},
        "previous_message": mine,
        "ts": "1804000000.000100",
        "event_ts": "1804000000.000100",
    }
    assert bot.driver.send_event(forged_edit).status == 200
    # The same edit from Maya, but in another workspace's envelope.
    foreign_edit = {**forged_edit, "message": {**mine, "text": "Another workspace's words"}}
    body = events.envelope(
        bot.standin.ws, foreign_edit, token="t", event_id="Ev0FOREIGN01", event_time=0
    )
    body["team_id"] = "T0OTHERTEAM"
    body["authorizations"][0]["team_id"] = "T0OTHERTEAM"
    assert bot.driver.post_json(body).status == 200
    foreign_delete = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": channel,
        "channel_type": "im",
        "hidden": True,
        "deleted_ts": first,
        "previous_message": mine,
        "ts": "1804000000.000200",
        "event_ts": "1804000000.000200",
    }
    body = events.envelope(
        bot.standin.ws, foreign_delete, token="t", event_id="Ev0FOREIGN02", event_time=0
    )
    body["team_id"] = "T0OTHERTEAM"
    assert bot.driver.post_json(body).status == 200
    forged_delete = {**foreign_delete, "previous_message": {**mine, "user": OMAR}}
    assert bot.driver.send_event(forged_delete).status == 200
    reply(bot, MAYA, "skip")  # the events above were handled before this reply was
    [answer, _] = answers(bot, MAYA)
    assert (answer.text, answer.deleted) == ("Grow into a tech lead", False)
    # Maya's own edit still counts.
    bot.driver.edit_dm(MAYA, first, "Grow into a tech lead by autumn")
    wait_for(lambda: answers(bot, MAYA)[0].text == "Grow into a tech lead by autumn")
    assert answers(bot, MAYA)[0].team_id == TEAM


def test_thread_replies_and_me_messages_get_one_line_on_how_to_answer(bot: Bot) -> None:
    kickoff_open(bot)
    first = reply(bot, MAYA, "Grow into a tech lead")
    channel = bot.standin.dm_channel_id(MAYA)
    count = len(bot_messages(bot, MAYA))
    # A reply in a thread: the hint goes to that thread.
    _, side = bot.driver.send_message_event(MAYA, text="by autumn", thread_ts=first)
    wait_for(lambda: len(bot_messages(bot, MAYA)) == count + 1, what="the thread hint")
    hint = bot_messages(bot, MAYA)[-1]
    assert (hint.text, hint.thread_ts) == (THREAD_HINT, first)
    # Slack retries that event: no second hint. Another bot's message in the thread: nothing.
    retried = {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": MAYA,
        "text": "by autumn",
        "ts": side,
        "thread_ts": first,
    }
    assert bot.driver.send_event(retried, retry_num=1).status == 200
    bot.driver.send_message_event(
        channel_id=channel, subtype="bot_message", text="beep", thread_ts=first
    )
    # A `/me` message: the hint, in the main chat.
    bot.driver.send_message_event(MAYA, text="is thinking about it", subtype="me_message")
    wait_for(lambda: bot_messages(bot, MAYA)[-1].text == ME_HINT, what="the /me hint")
    assert bot_messages(bot, MAYA)[-1].thread_ts is None
    reply(bot, MAYA, "Sharpen my review skills")
    assert dm_texts(bot, MAYA)[-1].startswith("*3/3:*")
    assert len(bot_messages(bot, MAYA)) == count + 3  # thread hint, /me hint, the next question
    # None of them was taken as an answer.
    assert [(a.question_key, a.text) for a in answers(bot, MAYA)] == [
        ("expectations", "Grow into a tech lead"),
        ("initial_goals", "Sharpen my review skills"),
    ]


def test_share_is_refused_for_a_prompt_never_asked(bot: Bot) -> None:
    kickoff_open(bot)
    for text in ("Grow into a tech lead", "skip", "Weekly calls"):
        reply(bot, MAYA, text)
    thanks = next(m for m in bot_messages(bot, MAYA) if m.text.startswith("✅ Thanks"))
    checkpoint = next(p for p in prompts(bot, MAYA) if p.status == "scheduled")
    assert checkpoint.asked_at is None
    said = len(bot.standin.ephemeral_messages(MAYA))
    response = bot.driver.click(MAYA, SHARE, message=thanks, forge={"value": str(checkpoint.id)})
    assert response.status == 200
    shown = wait_for(lambda: bot.standin.ephemeral_messages(MAYA)[said:], what="the refusal")
    assert shown[0].text == "I haven't asked you these questions yet, so there's nothing to share."
    # The real Share still works, once; Omar never got the empty one.
    bot.driver.click(MAYA, SHARE, message=thanks)
    wait_for(lambda: [t for t in dm_texts(bot, OMAR) if "shared their reflection" in t])
    shared = [t for t in dm_texts(bot, OMAR) if "shared their reflection" in t]
    assert shared == ["*Maya* shared their reflection on the kickoff with you:"]


def test_a_form_that_names_no_prompt_of_the_persons_gets_a_field_error(bot: Bot) -> None:
    kickoff_open(bot)
    omar_prompt = next(p for p in prompts(bot, OMAR) if p.status == "open")
    prompt_msg = next(m for m in bot_messages(bot, MAYA) if "has kicked off" in m.text)
    for metadata, error in (
        (json.dumps({"prompt_id": omar_prompt.id}), "belongs to someone else"),
        ("", "couldn't tell which reflection"),
    ):
        bot.driver.click(MAYA, "reflection_form", message=prompt_msg)
        form = wait_for(
            lambda: [v for v in bot.standin.views_for(MAYA) if v.title == "Reflection"],
            what="the form",
        )[-1]
        form.view["private_metadata"] = metadata  # a client that sends another prompt, or none
        response = bot.driver.submit_view(MAYA, form.id, {})  # every optional field blank
        assert response.status == 200, response.body
        assert response.json is not None and response.json["response_action"] == "errors"
        assert list(response.json["errors"]) == ["expectations"]  # the first question
        assert error in response.json["errors"]["expectations"]
        bot.driver.close_view(MAYA, form.id)
    assert answers(bot, MAYA) == [] and answers(bot, OMAR) == []
    assert {p.status for p in prompts(bot, OMAR) if p.asked_at} == {"open"}


def test_ending_a_mentorship_closes_its_open_prompts(bot: Bot) -> None:
    kickoff_open(bot)
    reply(bot, MAYA, "Grow into a tech lead")
    open_home(bot, OMAR)
    after_home_change(bot, OMAR, lambda: bot.driver.click(OMAR, HOME_END))
    with bot.sessions() as s:
        assert s.scalars(select(Pair.status)).one() == "ended"
    assert {p.status for p in prompts(bot, MAYA)} == {"expired"}
    assert {p.status for p in prompts(bot, OMAR)} == {"expired"}
    reply(bot, MAYA, "Weekly calls, candid feedback")
    assert NOTHING_OPEN in dm_texts(bot, MAYA)[-1]
    assert [a.text for a in answers(bot, MAYA)] == ["Grow into a tech lead"]
