"""A program lead's tools inside Slack: the report as a CSV file in their DM (`/mentorship report
csv` and the Home's button), and program admins added and removed by workspace admins
(`/mentorship admins`), kept in the database."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.people.program_admins import ONLY_WORKSPACE_ADMINS, WHO
from bot.reports.csv_dm import NOTHING_YET
from bot.reports.report import CSV_COLUMNS
from bot.reports.view import HOME_REPORT_CSV, REPORT_ADMINS_ONLY
from storage.models import ProgramAdmin
from tests.kit.home import command, dms, home_notice, home_text, open_home, start, wait_dm
from tests.kit.workspace import GONE, KAI, LENA, MAYA, OMAR, ROBOT, Bot, wait_for


def csv_rows(bot: Bot, user: str) -> list[list[str]]:
    (stored,) = bot.standin.dm_files(user)
    return list(csv.reader(io.StringIO(bot.standin.file_content(stored.id).decode())))


def uploads(bot: Bot) -> int:
    return len(bot.standin.calls_to("files.completeUploadExternal"))


def admins_in_db(bot: Bot) -> set[str]:
    with bot.sessions() as s:
        return set(s.scalars(select(ProgramAdmin.user_id)))


def test_report_csv_lands_in_the_admins_dm(bot: Bot) -> None:
    start(bot, OMAR)  # Omar mentors Maya
    bot.tick()
    reply = command(bot, KAI, "report csv")  # Kai is a workspace admin
    assert reply == "📎 The CSV with 1 pair is in our DM (my *Messages* tab)."
    (stored,) = bot.standin.dm_files(KAI)
    assert stored.name == "mentorship-report-2027-03-01.csv"
    rows = csv_rows(bot, KAI)
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["mentee_name"], row["mentor_name"], row["status"]) == ("Maya", "Omar", "active")
    comment = [m.text for m in bot.standin.file_messages(bot.standin.dm_channel_id(KAI))]
    assert comment == [
        "📎 The mentorship program on Mon 1 Mar 2027: 1 pair, one row each. Counts only: "
        "reflection answers are never part of it."
    ]


def test_report_csv_is_for_program_admins_only(bot: Bot) -> None:
    start(bot, OMAR)
    assert command(bot, OMAR, "report csv") == REPORT_ADMINS_ONLY
    assert uploads(bot) == 0 and bot.standin.dm_files(OMAR) == []


def test_report_csv_with_nothing_to_export_uploads_nothing(bot: Bot) -> None:
    assert command(bot, KAI, "report csv") == NOTHING_YET
    assert uploads(bot) == 0


def test_report_csv_without_the_file_scope_says_what_to_fix(bot: Bot) -> None:
    start(bot, OMAR)
    bot.standin.scopes.discard("files:write")  # an install from before the scope was asked
    reply = command(bot, KAI, "report csv")
    assert reply.startswith("I couldn't put the file in our DM: the app lacks a permission")
    assert "files:write" in reply and "mentorship-bot doctor" in reply
    assert bot.standin.dm_files(KAI) == []


def test_report_csv_refused_by_slacks_file_server_says_so_and_shares_nothing(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CSV is streamed to the upload URL Slack gives; when that server refuses it (here a
    # URL that was never handed out: 404), nothing is completed and the admin hears so.
    start(bot, OMAR)
    asked = WebClient.files_getUploadURLExternal

    def stale_url(self: WebClient, **kwargs: Any) -> Any:
        response = asked(self, **kwargs)
        response.data["upload_url"] = str(response["upload_url"]) + "-gone"  # type: ignore[index]
        return response

    monkeypatch.setattr(WebClient, "files_getUploadURLExternal", stale_url)
    reply = command(bot, KAI, "report csv")
    assert (
        reply
        == "I couldn't put the file in our DM: Slack answered “HTTP 404”. Try again in a minute."
    )
    assert uploads(bot) == 0 and bot.standin.dm_files(KAI) == []


def test_the_home_button_sends_the_csv_and_says_so_on_the_home(bot: Bot) -> None:
    start(bot, OMAR)
    view = open_home(bot, KAI)
    [button] = [
        b["accessory"]
        for b in view.blocks
        if (b.get("accessory") or {}).get("action_id") == HOME_REPORT_CSV
    ]
    assert button["accessibility_label"] == "Send the program report as a CSV file to our DM"
    assert bot.driver.click(KAI, HOME_REPORT_CSV).status == 200
    wait_for(lambda: home_notice(bot, KAI).startswith("📎 The CSV with 1 pair"), what="the notice")
    assert len(csv_rows(bot, KAI)) == 2
    assert "Program overview" in home_text(bot, bot.standin.home_view(KAI))  # type: ignore[arg-type]
    # Someone who is no admin cannot use a button forged into their Home.
    open_home(bot, MAYA)
    bot.driver.click(MAYA, "home_start", forge={"action_id": HOME_REPORT_CSV})
    wait_for(lambda: home_notice(bot, MAYA) == REPORT_ADMINS_ONLY, what="the refusal")
    assert bot.standin.dm_files(MAYA) == []


def test_a_workspace_admin_adds_and_removes_a_program_admin(bot: Bot) -> None:
    start(bot, OMAR)
    assert command(bot, LENA, "report") == REPORT_ADMINS_ONLY
    added = command(bot, KAI, f"admins add <@{LENA}|lena>")
    assert added == (
        "✅ @lena is now a program admin: they see the program overview on my Home tab and can "
        "use `/mentorship report`. I've let @lena know."
    )
    assert admins_in_db(bot) == {LENA}
    told = wait_dm(bot, LENA, "made you a program admin")
    assert told.startswith(f"👋 <@{KAI}> made you a program admin of the mentorship program.")
    wait_for(lambda: "Program overview" in home_text(bot, open_home(bot, LENA)), what="overview")
    assert "Mentorship program" in command(bot, LENA, "report")
    listed = command(bot, MAYA, "admins")  # anyone may see who runs the program
    assert "• @lena (added by @kai, Mon 1 Mar 2027)" in listed
    assert "The workspace's admins and owners are program admins too." in listed
    again = command(bot, KAI, f"admins add <@{LENA}|lena>")
    assert again == "@lena is a program admin already."
    removed = command(bot, KAI, f"admins remove <@{LENA}|lena>")
    assert removed == "Removed @lena from the program admins. I've let @lena know."
    assert wait_dm(bot, LENA, "removed you").startswith(f"<@{KAI}> removed you from")
    assert admins_in_db(bot) == set()
    assert command(bot, LENA, "report") == REPORT_ADMINS_ONLY


def test_only_workspace_admins_change_the_program_admins(bot: Bot) -> None:
    assert command(bot, OMAR, f"admins add <@{LENA}|lena>") == ONLY_WORKSPACE_ADMINS
    assert command(bot, OMAR, f"admins remove <@{KAI}|kai>") == ONLY_WORKSPACE_ADMINS
    # A program admin added in Slack is not a workspace admin: they cannot add others either.
    command(bot, KAI, f"admins add <@{LENA}|lena>")
    assert command(bot, LENA, f"admins add <@{OMAR}|omar>") == ONLY_WORKSPACE_ADMINS
    assert admins_in_db(bot) == {LENA}


def test_bad_names_change_nothing(bot: Bot) -> None:
    """(Command answers are read as Slack shows them; " / " separates their lines.)"""
    assert command(bot, KAI, "admins add") == WHO["add"]
    assert command(bot, KAI, "admins add lena") == WHO["add"]  # a name, not a mention
    assert command(bot, KAI, "admins remove") == WHO["remove"]
    refused = command(bot, KAI, f"admins add <@{LENA}|lena> <@{ROBOT}|robot> <@{GONE}|gone>")
    assert refused == (
        "@robot is an app, not a person, so they can't run the program. / "
        "@gone's account is deactivated. / Nothing changed."
    )
    assert admins_in_db(bot) == set()
    bot.tick()
    assert not [t for t in dms(bot, LENA) if "program admin" in t]


def test_removing_someone_who_is_admin_another_way_explains_it(bot: Bot) -> None:
    said = command(bot, KAI, f"admins remove <@{KAI}|kai> <@{MAYA}|maya>")
    assert said == (
        "@kai is a workspace admin, so they stay a program admin; that isn't changed here. / "
        "@maya isn't a program admin, so nothing changed for them."
    )
    added_self = command(bot, KAI, f"admins add <@{KAI}|kai>")
    assert added_self == "@kai is a workspace admin, so they're a program admin already."
    assert admins_in_db(bot) == set()
