"""A DM answer longer than one answer holds (issue 11): the bot keeps the first 3,000 characters
and says so in its reply, instead of cutting it silently; the form then shows what was kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.domain.reflection import MAX_ANSWER
from bot.reflections.conversation import CUT_NOTE
from bot.reflections.messages import OPEN_FORM
from storage.models import ReflectionAnswer
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

LONG = ("I want to grow into a tech lead. " * 1300)[:40_000]


def reply(bot: Bot, text: str) -> str:
    before = len(bot.standin.dm_messages(MAYA))
    bot.driver.user_dm(MAYA, text)
    wait_for(lambda: len(bot.standin.dm_messages(MAYA)) > before, what="the bot reply")
    return dm_texts(bot, MAYA)[-1]


def stored(bot: Bot) -> list[str | None]:
    with bot.sessions() as s:
        rows = s.scalars(
            select(ReflectionAnswer)
            .where(ReflectionAnswer.user_id == MAYA, ReflectionAnswer.question_key.is_not(None))
            .order_by(ReflectionAnswer.id)
        )
        return [a.text for a in rows]


def test_a_forty_thousand_character_answer_is_kept_cut_and_the_person_is_told(bot: Bot) -> None:
    assert bot.start_plan(OMAR, SHORT).status == 200
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))  # after the kickoff meeting
    prompt = next(m for m in bot.standin.dm_messages(MAYA) if "has kicked off" in m.text)

    said = reply(bot, LONG)
    assert (
        said == f"{CUT_NOTE}\n*2/3:* Your goals as you see them today — anything to add or sharpen?"
    )
    assert CUT_NOTE.startswith("I saved the first 3,000 characters of that answer")
    assert stored(bot) == [LONG[:MAX_ANSWER].strip()]

    # The form shows what was kept, within its field (Slack refuses a longer prefill).
    bot.driver.click(MAYA, OPEN_FORM, message=prompt)
    form = wait_for(
        lambda: [
            v for v in bot.standin.views_for(MAYA) if v.callback_id == "reflection_form_submit"
        ],
        what="the reflection form",
    )[-1]
    first = next(b for b in form.blocks if b.get("block_id") == "expectations")["element"]
    assert first["initial_value"] == LONG[:MAX_ANSWER].strip()
    assert len(first["initial_value"]) <= first["max_length"] == MAX_ANSWER

    # A short answer gets no note; a long last answer gets it above the thanks.
    assert reply(bot, "Sharper goals").startswith("*3/3:*")
    reply(bot, LONG)
    thanks = bot.standin.dm_messages(MAYA)[-1]
    assert thanks.text.startswith(f"{CUT_NOTE}\n✅ Thanks")
    assert thanks.blocks[0]["text"]["text"] == CUT_NOTE
    assert "…_" in bot.standin.ws.render(thanks)  # the summary shows the start, visibly cut
