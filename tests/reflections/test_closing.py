"""Prompts close with their mentorship: completion closes the prompts still open, except the
final review's, which is asked at the end and keeps its own window (issue 11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage.models import Milestone, Pair, ReflectionPrompt
from tests.kit.plans import SHORT, dm_texts, run_until
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

# A short mentorship: kickoff on Tue 2 Mar, final review on Fri 5 Mar, so the kickoff prompt's
# seven-day window outlasts the mentorship.
ENDS_SOON: dict[str, Any] = {**SHORT, "End date (instead of a duration)": "2027-03-05"}


def statuses(bot: Bot, user: str) -> dict[str, str]:
    with bot.sessions() as s:
        rows = s.execute(
            select(Milestone.kind, ReflectionPrompt.status)
            .join(Milestone, Milestone.id == ReflectionPrompt.milestone_id)
            .where(ReflectionPrompt.user_id == user)
        ).all()
    return {kind: status for kind, status in rows}


def answered(bot: Bot, user: str, text: str) -> str:
    before = len(bot.standin.dm_messages(user))
    bot.driver.user_dm(user, text)
    wait_for(lambda: len(bot.standin.dm_messages(user)) > before, what="the bot's reply")
    return dm_texts(bot, user)[-1]


def test_completion_closes_open_prompts_but_keeps_the_final_review(bot: Bot) -> None:
    assert bot.start_plan(OMAR, ENDS_SOON).status == 200
    run_until(bot, datetime(2027, 3, 2, 18, tzinfo=UTC))
    assert statuses(bot, OMAR)["kickoff"] == "open"
    # Omar's final review cannot be delivered, so nothing supersedes his open kickoff prompt.
    bot.standin.fail_next(
        "chat.postMessage",
        "channel_not_found",
        where=lambda p: p.get("channel") == OMAR and "Final review" in str(p.get("text")),
    )
    run_until(bot, datetime(2027, 3, 6, 6, tzinfo=UTC))
    with bot.sessions() as s:
        assert s.scalars(select(Pair.status)).one() == "completed"
    # Completion closed Omar's kickoff prompt; Maya's final review (asked on 5 Mar) stays open.
    assert statuses(bot, OMAR) == {"kickoff": "expired", "final_review": "scheduled"}
    assert statuses(bot, MAYA) == {"kickoff": "expired", "final_review": "open"}
    assert "nothing for you to answer right now" in answered(bot, OMAR, "Good progress")
    assert answered(bot, MAYA, "Led my first design review").startswith("*2/")
