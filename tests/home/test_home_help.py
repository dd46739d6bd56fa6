"""The Home tab's explaining parts as pure builders: the first-visit intro, the Help section
(one line more for program admins), a notice at the top; all within Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.home.data import HomeData
from bot.home.help import HELP_ID, INTRO_PILLARS_ID, NOTICE_ID, PRIVACY
from bot.home.view import HOME_START, build_home
from bot.reports.report import ProgramReport
from bot.reports.view import HOME_REPORT_CSV
from bot.standin.blockkit import view_errors
from bot.workspaces.welcome import welcome_message

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)


def blocks_by_id(view: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {b.get("block_id", ""): b for b in view["blocks"]}


def buttons(view: dict) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for block in view["blocks"]:
        found += [
            e
            for e in [block.get("accessory"), *(block.get("elements") or [])]
            if isinstance(e, dict) and e.get("type") == "button"
        ]
    return found


def test_the_first_visit_explains_the_pillars_the_two_ways_and_privacy() -> None:
    view = build_home(HomeData(cards=(), intro=True)).to_dict()
    assert view_errors(view) == []
    pillars = blocks_by_id(view)[INTRO_PILLARS_ID]["text"]["text"]
    assert pillars.count("• *") == 3 and "Goals &amp; Vision" in pillars
    text = str(view)
    assert "Start one yourself" in text and "Join a program" in text and PRIVACY in text
    [start] = buttons(view)
    assert start["action_id"] == HOME_START
    assert start["accessibility_label"] == "Start a new mentorship: open the plan form"


def test_help_is_on_every_home_and_admins_get_their_line() -> None:
    mine = blocks_by_id(build_home(HomeData(cards=())).to_dict())[HELP_ID]["text"]["text"]
    assert "Add as a goal" in mine and "Running the program" not in mine
    admin_view = build_home(HomeData(cards=(), overview=ProgramReport("T1", NOW, ()))).to_dict()
    assert view_errors(admin_view) == []
    assert "Running the program" in blocks_by_id(admin_view)[HELP_ID]["text"]["text"]
    [csv] = [b for b in buttons(admin_view) if b["action_id"] == HOME_REPORT_CSV]
    assert csv["accessibility_label"] == "Send the program report as a CSV file to our DM"


def test_a_notice_sits_at_the_top_and_is_cut_to_fit() -> None:
    view = build_home(HomeData(cards=()), notice="x" * 5000).to_dict()
    assert view_errors(view) == []
    notice = view["blocks"][1]
    assert notice["block_id"] == NOTICE_ID and len(notice["text"]["text"]) == 3000
    assert notice["text"]["text"].endswith("…")
    assert NOTICE_ID not in blocks_by_id(build_home(HomeData(cards=())).to_dict())


def test_the_welcome_dm_is_valid_block_kit() -> None:
    text, blocks = welcome_message()
    assert text == "👋 Thanks for adding Mentorship."
    assert view_errors({"type": "home", "blocks": blocks}) == []
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
