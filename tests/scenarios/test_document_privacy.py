"""Reflections in documents: the canvas ticks milestones as they pass, and at the final review it
gains "What we learned" with the answers their authors shared, and nothing else. No canvas
payload and no Markdown file ever holds a reflection that was not shared."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.domain.plan_document import LEARNED_TITLE, MILESTONES_TITLE, NOTES_TITLE
from bot.reflections.messages import OPEN_FORM, SHARE
from tests.kit.documents import dm_files, next_file, section
from tests.kit.home import command, wait_dm
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

MAYA_KICKOFF = ("Grow into a tech lead", "Weekly calls, candid feedback")  # never shared
MAYA_CHECKPOINT = ("Good progress", "Started the book", "Regular slots", "More async updates")
OMAR_PRIVATE = "Halfway there, privately worried about the launch"  # never shared


def reply(bot: Bot, user: str, text: str) -> None:
    before = len(bot.standin.dm_messages(user))
    bot.driver.user_dm(user, text)
    wait_for(lambda: len(bot.standin.dm_messages(user)) > before, 30, "the bot's reply")


def latest(bot: Bot, user: str, contains: str) -> str:
    return wait_for(lambda: [t for t in dm_texts(bot, user) if contains in t], 30)[-1]


def documents_sent(bot: Bot) -> list[str]:
    """Every canvas content and Markdown file the bot sent to Slack."""
    texts = []
    for method in ("canvases.create", "canvases.edit"):
        for params in bot.standin.calls_to(method):
            texts.append(json.dumps(params, ensure_ascii=False))
    for user in (MAYA, OMAR):
        texts += [bot.standin.file_content(f.id).decode() for f in dm_files(bot, user, ".md")]
    return texts


def omar_answers_with_the_form(bot: Bot) -> None:
    prompt = next(m for m in bot.standin.dm_messages(OMAR) if "halfway checkpoint" in m.text)
    bot.driver.click(OMAR, OPEN_FORM, message=prompt)
    form = wait_for(
        lambda: [
            v for v in bot.standin.views_for(OMAR) if v.callback_id == "reflection_form_submit"
        ],
        30,
    )[-1]
    labels = [b["label"]["text"] for b in form.view["blocks"] if b["type"] == "input"]
    values: dict[str, Any] = {"rating": "3", labels[0]: OMAR_PRIVATE}
    assert bot.driver.submit_view(OMAR, form.id, values).status == 200
    wait_for(lambda: dm_texts(bot, OMAR)[-1].startswith("✅ Thanks"), 30, "Omar's thanks")


def test_what_we_learned_quotes_only_shared_reflections(bot: Bot) -> None:
    assert bot.start_plan(OMAR, SHORT).status == 200
    bot.tick()
    assert "making the plan canvas" in command(bot, OMAR, "plan share")
    wait_dm(bot, MAYA, "is now a canvas")
    (canvas,) = bot.standin.canvases

    # The kickoff (Tue 2 Mar): Maya answers, keeps it to herself; the canvas ticks the kickoff.
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))
    latest(bot, MAYA, "has kicked off")
    for text in (MAYA_KICKOFF[0], "skip", MAYA_KICKOFF[1]):
        reply(bot, MAYA, text)
    bot.tick()
    assert "- [x] Kickoff — Tue 2 Mar 2027 (done Tue 2 Mar 2027)" in section(
        canvas.markdown, MILESTONES_TITLE
    )

    # The halfway checkpoint (Tue 16 Mar): Maya answers and shares; Omar answers privately.
    run_until(bot, datetime(2027, 3, 16, 15, tzinfo=UTC))
    latest(bot, MAYA, "The halfway checkpoint with *Omar*")
    for text in (*MAYA_CHECKPOINT, "great", "4"):
        reply(bot, MAYA, text)
    thanks = [m for m in bot.standin.dm_messages(MAYA) if m.text.startswith("✅ Thanks")][-1]
    bot.driver.click(MAYA, SHARE, message=thanks)
    wait_for(lambda: any("shared their reflection" in t for t in dm_texts(bot, OMAR)), 30)
    omar_answers_with_the_form(bot)
    bot.tick()
    assert LEARNED_TITLE not in canvas.markdown  # not before the final review

    # The final review (Tue 30 Mar): "What we learned" joins the end of the canvas.
    run_until(bot, datetime(2027, 4, 1, 12, tzinfo=UTC))
    latest(bot, MAYA, "Final review of your mentorship")
    wait_for(lambda: (bot.tick(), LEARNED_TITLE in canvas.markdown)[1], 30, "What we learned")
    learned = canvas.markdown
    assert learned.rstrip().endswith(section(learned, LEARNED_TITLE).rstrip())
    assert "### Maya — The halfway checkpoint" in learned
    for shared in MAYA_CHECKPOINT:
        assert shared in section(learned, LEARNED_TITLE)
    assert section(learned, NOTES_TITLE).startswith(f"## {NOTES_TITLE}\n\n_This section is yours")

    # Omar asks for the Markdown: the same, shared reflections only.
    assert "Markdown file" in command(bot, OMAR, "plan export")
    exported = bot.standin.file_content(next_file(bot, OMAR, ".md", 0).id).decode()
    assert "## What we learned" in exported and MAYA_CHECKPOINT[0] in exported

    sent = documents_sent(bot)
    assert sent and any(MAYA_CHECKPOINT[1] in t for t in sent)
    for text in sent:
        for private in (*MAYA_KICKOFF, OMAR_PRIVATE, "privately worried"):
            assert private not in text
