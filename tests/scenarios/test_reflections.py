"""Milestones end to end: reflection prompts answered in DMs, edits and retries, the form,
sharing, channel announcements that never leak reflections, and the final journey summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage.models import Pair, ReflectionAnswer, ReflectionPrompt
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import MAYA, MENTORING, OMAR, Bot, wait_for


def latest(bot: Bot, user: str, contains: str) -> str:
    found = [t for t in dm_texts(bot, user) if contains in t]
    assert found, f"no DM to {user} containing {contains!r}: {dm_texts(bot, user)[-5:]}"
    return found[-1]


def reply(bot: Bot, user: str, text: str, **kw: Any) -> str:
    before = len(bot.standin.dm_messages(user))
    _, ts = bot.driver.user_dm(user, text, **kw)
    wait_for(lambda: len(bot.standin.dm_messages(user)) > before, what="the bot reply")
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


def test_kickoff_prompt_conversation_edit_retry_and_privacy(bot: Bot) -> None:
    assert bot.start_plan(OMAR, SHORT).status == 200
    bot.tick()
    # The kickoff meeting is Tue 2 Mar 15:00 Berlin; the prompt follows it.
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))
    intro = latest(bot, MAYA, "has kicked off")
    assert "*Omar*" in intro and "*1/3:*" in intro and "`skip`" in intro
    # The channel hears that the pair kicked off, by name, and nothing else.
    posts = [m.text for m in bot.standin.channel_messages(MENTORING)]
    assert posts == ["🎉 *Maya* and *Omar* kicked off their mentorship. Welcome aboard!"]

    ts1 = reply(bot, MAYA, "Grow into a tech lead")
    assert dm_texts(bot, MAYA)[-1].startswith("*2/3:*")
    # Slack retries the same event: stored once, no second question.
    count = len(bot.standin.dm_messages(MAYA))
    r = bot.driver.send_event(
        {
            "type": "message",
            "channel": bot.standin.dm_channel_id(MAYA),
            "user": MAYA,
            "text": "Grow into a tech lead",
            "ts": ts1,
            "channel_type": "im",
        },
        retry_num=1,
    )
    assert r.status == 200
    bot.driver.user_dm(MAYA, "skip")
    wait_for(lambda: dm_texts(bot, MAYA)[-1].startswith("*3/3:*"))
    assert len(bot.standin.dm_messages(MAYA)) == count + 1  # only the next question
    # Thread chatter is not an answer: one line in its thread says how to answer. Other bots
    # change nothing and get no reply.
    bot.driver.send_message_event(MAYA, text="side note", thread_ts=ts1)
    wait_for(lambda: dm_texts(bot, MAYA)[-1].startswith("I don't read replies in threads"))
    bot.driver.send_message_event(
        channel_id=bot.standin.dm_channel_id(MAYA), subtype="bot_message", text="beep"
    )
    reply(bot, MAYA, "Weekly calls, candid feedback")
    done = dm_texts(bot, MAYA)[-1]
    assert done.startswith("✅ Thanks")
    stored = answers(bot, MAYA)
    assert [(a.question_key, a.text, a.skipped) for a in stored] == [
        ("expectations", "Grow into a tech lead", False),
        ("initial_goals", None, True),
        ("ways_of_working", "Weekly calls, candid feedback", False),
    ]
    # Editing a reply updates the stored answer; deleting one removes its text.
    bot.driver.edit_dm(MAYA, ts1, "Grow into a tech lead by autumn")
    wait_for(
        lambda: answers(bot, MAYA)[0].text == "Grow into a tech lead by autumn", what="the edit"
    )
    # With nothing open, a DM gets a short helpful answer instead of silence.
    reply(bot, MAYA, "hello?")
    assert "nothing for you to answer right now" in dm_texts(bot, MAYA)[-1]
    # Private text never reached the channel.
    for m in bot.standin.channel_messages(MENTORING):
        assert "tech lead" not in m.text and "candid" not in m.text


def test_checkpoint_rating_form_share_and_final_journey(bot: Bot) -> None:
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, datetime(2027, 3, 16, 15, tzinfo=UTC))  # 10:00 in each zone on Tue 16 Mar
    intro = latest(bot, OMAR, "The halfway checkpoint with *Maya*")
    assert "How far did you get with *Practise giving feedback*?" in intro
    maya_intro = latest(bot, MAYA, "The halfway checkpoint with *Omar*")
    assert "*Lead a design review*" in maya_intro
    for text in (
        "Good progress",
        "Started the book",
        "Regular slots",
        "More async updates",
        "great",
    ):
        reply(bot, MAYA, text)
    assert dm_texts(bot, MAYA)[-1] == "Just a number from 1 to 5, please (or `skip`)."
    reply(bot, MAYA, "4")
    assert dm_texts(bot, MAYA)[-1].startswith("✅ Thanks")
    ratings = [a.rating for a in answers(bot, MAYA) if a.question_key == "rating"]
    assert ratings == [4]
    # Omar prefers the form.
    prompt_msg = next(m for m in bot.standin.dm_messages(OMAR) if "halfway checkpoint" in m.text)
    bot.driver.click(OMAR, "reflection_form", message=prompt_msg)
    form = wait_for(
        lambda: [
            v for v in bot.standin.views_for(OMAR) if v.callback_id == "reflection_form_submit"
        ]
    )[-1]
    labels = [b["label"]["text"] for b in form.view["blocks"] if b["type"] == "input"]
    assert labels[0] == "How far did you get with Practise giving feedback?"
    r = bot.driver.submit_view(OMAR, form.id, {"rating": "3", labels[0]: "Halfway there"})
    assert r.status == 200
    wait_for(lambda: dm_texts(bot, OMAR)[-1].startswith("✅ Thanks"), what="Omar's thanks")
    # Maya shares hers with Omar; Omar's stays private.
    thanks_msg = [m for m in bot.standin.dm_messages(MAYA) if m.text.startswith("✅ Thanks")][-1]
    bot.driver.click(MAYA, "reflection_share", message=thanks_msg)
    shared = wait_for(
        lambda: [
            t
            for t in dm_texts(bot, OMAR)
            if "shared their reflection on the halfway checkpoint" in t
        ]
    )
    assert "*Maya* shared" in shared[0]
    assert not [t for t in dm_texts(bot, MAYA) if "shared their" in t]
    # A stranger cannot open or share someone else's reflection.
    # Announcements: kickoff and checkpoint, never with reflection text.
    run_until(bot, datetime(2027, 4, 1, 12, tzinfo=UTC))
    posts = [m.text for m in bot.standin.channel_messages(MENTORING)]
    assert any("reached the halfway checkpoint of their mentorship" in p for p in posts), posts
    assert any("completed their mentorship" in p for p in posts), posts
    for p in posts:
        assert "Good progress" not in p and "Halfway" not in p and "4/5" not in p
    # Final review prompt, then the journey summary once the prompt is answered or stopped.
    assert latest(bot, MAYA, "Final review of your mentorship")
    reply(bot, MAYA, "stop")
    journey = wait_for(
        lambda: (bot.tick(), [t for t in dm_texts(bot, MAYA) if "is complete" in t])[1]
    )
    assert "*Omar*" in journey[0]
    summary = str(next(m for m in bot.standin.dm_messages(MAYA) if "is complete" in m.text).blocks)
    assert "Good progress" in summary  # her own reflection
    assert "Halfway there" not in summary  # never Omar's
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).one().status == "completed"
        prompts = s.scalars(select(ReflectionPrompt).where(ReflectionPrompt.user_id == MAYA)).all()
        assert {p.status for p in prompts} <= {"done", "stopped", "expired"}
