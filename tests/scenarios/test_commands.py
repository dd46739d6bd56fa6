"""`/mentorship` management commands through the real server: every answer ephemeral, a picker
when there are several mentorships, end with a confirmation, reflect, report."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.pairs.messages import CMD_END, CMD_STATUS
from bot.reflections.prompts import NOTHING_OPEN
from bot.reports.view import REPORT_ADMINS_ONLY
from handlers.commands import USAGE
from tests.kit.home import command, dms, pair, start, wait_dm
from tests.kit.plans import run_until
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, Bot, wait_for


def test_help_lists_every_command(bot: Bot) -> None:
    text = bot.driver.slash_command(OMAR, "help").body
    for sub in ("start", "list", "status", "pause", "resume", "end", "reflect", "report", "help"):
        assert f"/mentorship {sub}" in USAGE and f"/mentorship {sub}" in text


def test_list_and_status_of_one_mentorship(bot: Bot) -> None:
    assert "don't have a mentorship yet" in command(bot, MAYA, "list")
    start(bot, OMAR)
    listed = command(bot, MAYA, "list")
    assert "*Omar* (your mentor) — next meeting Tue 9 Mar at 09:00" in listed
    assert "*Maya* (you mentor them) — next meeting Tue 9 Mar at 15:00" in command(
        bot, OMAR, "list"
    )
    status = command(bot, MAYA, "status")
    assert "Mentored by Omar" in status and "Tue 9 Mar at 09:00 (15:00 for Omar)" in status
    assert "Lead a design review" in status and "Kickoff" in status
    # Only Maya saw these; nothing was posted anywhere else.
    assert all(m.is_ephemeral for m in bot.standin.messages if m.source in ("ack", "response_url"))
    # Maya's only DM is her plan summary, sent when Omar stored the plan.
    [summary] = bot.standin.dm_messages(MAYA)
    assert summary.text.startswith("📅 Your mentorship with *Omar*")


def test_several_mentorships_ask_which_one(bot: Bot) -> None:
    maya_pair = start(bot, OMAR)
    lena_pair = start(bot, OMAR, Mentee=LENA)
    asked = command(bot, OMAR, "status")
    assert "which one?" in asked and "[Maya]" in asked and "[Lena]" in asked
    reply = bot.standin.ephemeral_messages(OMAR)[-1]
    bot.driver.click(OMAR, CMD_STATUS, message=reply)  # the first button: Lena, the newest
    wait_for(lambda: "Mentoring Lena" in bot.standin.ws.render(reply), what="the picked status")
    # Naming the partner picks directly.
    assert "Mentoring Lena" in command(bot, OMAR, f"status <@{LENA}|lena>")
    paused = command(bot, OMAR, f"pause 3 <@{MAYA}|maya>")
    assert paused.startswith("⏸ Paused your mentorship with *Maya* until Mon 22 Mar 2027")
    assert pair(bot, maya_pair).paused_until == date(2027, 3, 22)
    assert pair(bot, lena_pair).status == "active"
    # Only Lena's is active now, so `pause` needs no question; Maya's is the only paused one.
    assert "with *Lena*" in command(bot, OMAR, "pause")
    assert "Resumed your mentorship with *Maya*" in command(bot, OMAR, f"resume <@{MAYA}|maya>")
    assert "picks it up now" in command(bot, OMAR, f"pause <@{LENA}|lena>")  # already paused


def test_pause_resume_and_end_by_command(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    assert "how many weeks" in command(bot, MAYA, "pause 99")
    assert "how many weeks" in command(bot, MAYA, "pause soon")
    reply = command(bot, MAYA, "pause")
    assert "until Mon 15 Mar 2027" in reply and "I've let Omar know" in reply
    assert wait_dm(bot, OMAR, "paused").startswith(
        "⏸ *Maya* paused your mentorship until Mon 15 Mar"
    )
    assert "already paused until Mon 15 Mar 2027" in command(bot, MAYA, "pause 2")
    assert "Resumed your mentorship with *Omar*" in command(bot, MAYA, "resume")
    assert pair(bot, pair_id).status == "active"
    asked = command(bot, MAYA, "end")
    assert asked.startswith("End your mentorship with *Omar*?") and "[End mentorship]" in asked
    assert pair(bot, pair_id).status == "active"  # nothing happens before the click
    confirm = bot.standin.ephemeral_messages(MAYA)[-1]
    button = confirm.blocks[-1]["elements"][0]
    assert button["confirm"]["confirm"]["text"] == "End it"
    bot.driver.click(MAYA, CMD_END, message=confirm)
    wait_for(lambda: pair(bot, pair_id).status == "ended", what="the end")
    wait_for(lambda: "Ended your mentorship with *Omar*" in bot.standin.ws.render(confirm))
    assert wait_dm(bot, OMAR, "ended").startswith("*Maya* ended your mentorship.")
    assert "don't have an open mentorship" in command(bot, MAYA, "end")
    assert "ended" in command(bot, MAYA, "list")


def test_reflect_brings_the_open_question_now(bot: Bot) -> None:
    assert command(bot, MAYA, "reflect") == NOTHING_OPEN
    start(bot, OMAR)
    bot.tick()
    # The kickoff meeting is Tue 9 Mar 14:00 UTC; its questions follow two hours later.
    run_until(bot, datetime(2027, 3, 9, 15, tzinfo=UTC))
    assert not any("kicked off" in t for t in dms(bot, MAYA))
    assert command(bot, MAYA, "reflect") == "Your reflection questions are on their way to our DM."
    bot.tick()
    assert any("has kicked off" in t for t in dms(bot, MAYA))
    before = len(dms(bot, MAYA))
    assert "in our DM" in command(bot, MAYA, "reflect")
    again = dms(bot, MAYA)[before:]
    assert len(again) == 1 and "still open" in again[0] and "*1/3:*" in again[0]


def test_report_is_for_admins(bot: Bot) -> None:
    start(bot, OMAR)
    assert command(bot, MAYA, "report") == REPORT_ADMINS_ONLY
    report = command(bot, KAI, "report")
    assert "Mentorship program" in report and "*Active* / 1" in report
