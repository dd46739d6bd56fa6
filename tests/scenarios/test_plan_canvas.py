"""The plan as a canvas the pair owns: made once, both may write, the link goes to both; after a
plan edit or a goal done the bot edits only the blocks of its own section that changed (retrying
while the canvas is locked) and "Our notes" stays byte for byte; without canvases, and on
request, the same plan arrives as a Markdown file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.domain.plan_document import (
    GOALS_TITLE,
    MILESTONES_TITLE,
    NOTES_TITLE,
    STRUCTURE_TITLE,
)
from bot.home.view import HOME_EDIT, HOME_GOAL_DONE
from bot.standin import Canvas
from tests.kit.documents import dm_files, next_file, section
from tests.kit.home import after_home_change, command, open_home, start, wait_dm
from tests.kit.workspace import MAYA, OMAR, TEAM, TOKEN, Bot, wait_for

PILLARS = (GOALS_TITLE, STRUCTURE_TITLE, MILESTONES_TITLE)
NOTES = "- Bring the launch checklist\n\nMaya: ask about the design review rubric"


def calls_since(bot: Bot, before: int, method: str) -> list[dict[str, Any]]:
    return [params for name, params in bot.standin.calls[before:] if name == method]


def shared_canvas(bot: Bot) -> Canvas:
    """Omar asks for the plan canvas; both get the link; the canvas."""
    assert "making the plan canvas" in command(bot, OMAR, "plan share")
    for user in (OMAR, MAYA):
        wait_dm(bot, user, "is now a canvas you can both edit")
    (canvas,) = bot.standin.canvases
    return canvas


def write_notes(bot: Bot, canvas: Canvas) -> None:
    """The pair writes in their own section (through the Web API, as Slack's editor would)."""
    client = WebClient(token=TOKEN, base_url=bot.standin.api_url)
    found = client.canvases_sections_lookup(
        canvas_id=canvas.id, criteria={"section_types": ["h2"], "contains_text": NOTES_TITLE}
    )["sections"]
    change = {
        "operation": "insert_after",
        "section_id": found[0]["id"],
        "document_content": {"type": "markdown", "markdown": NOTES},
    }
    client.canvases_edit(canvas_id=canvas.id, changes=[change])


def edit_plan(bot: Bot, user: str, changes: dict[str, Any]) -> None:
    """Open the edit modal on the Home tab and save it with some answers changed."""
    open_home(bot, user)
    before = len(bot.standin.views_for(user, include_closed=True))
    bot.driver.click(user, HOME_EDIT)
    views = wait_for(lambda: bot.standin.views_for(user, include_closed=True)[before:], timeout=30)
    response = bot.driver.submit_view(user, views[-1].id, changes)
    assert response.status == 200 and not response.body.strip(), response.body


def synced(bot: Bot, canvas: Canvas, edits: int) -> None:
    """Tick until the canvas has had `edits` changes applied."""
    wait_for(lambda: (bot.tick(), len(canvas.edits) >= edits)[1], 30, "the canvas update")


def test_plan_share_makes_one_canvas_both_can_edit_and_sends_both_the_link(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    canvas = shared_canvas(bot)
    (created,) = bot.standin.calls_to("canvases.create")
    markdown = created["document_content"]["markdown"]
    assert [f"## {t}" in markdown for t in (*PILLARS, NOTES_TITLE)] == [True] * 4
    for goal in (
        "Lead a design review",
        "Learn Rust async programming",
        "Practise giving feedback",
    ):
        assert goal in markdown
    assert "- [ ] Kickoff — Tue 9 Mar 2027" in markdown  # the milestones as a checklist
    assert canvas.title == created["title"] == "Mentorship plan — Maya & Omar"
    grants = bot.standin.calls_to("canvases.access.set")
    assert sorted(g["user_ids"] for g in grants) == sorted([MAYA, OMAR])  # one id per call
    assert {g["access_level"] for g in grants} == {"write"}
    assert bot.standin.canvas_access(canvas.id, MAYA) == "write"
    assert bot.standin.canvas_access(canvas.id, OMAR) == "write"
    link = f"https://acme.slack.com/docs/{TEAM}/{canvas.id}"
    for user, partner in ((MAYA, "Omar"), (OMAR, "Maya")):
        text = wait_dm(bot, user, "is now a canvas")
        assert f"<{link}|open it>" in text and f"*{partner}*" in text

    # Asking again (either of them) answers the same canvas; nothing new is made.
    assert "Your plan canvas with *Omar*" in command(bot, MAYA, "plan share")
    assert f"<{link}|open it>" in bot.standin.ephemeral_messages(MAYA)[-1].text
    bot.tick()
    assert len(bot.standin.calls_to("canvases.create")) == 1 and len(bot.standin.canvases) == 1


def test_an_edit_changes_only_the_bots_section_and_never_our_notes(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    canvas = shared_canvas(bot)
    write_notes(bot, canvas)
    before, start_calls, edits = canvas.markdown, len(bot.standin.calls), len(canvas.edits)
    assert NOTES in section(before, NOTES_TITLE)

    edit_plan(bot, MAYA, {"Meeting cadence": "weekly"})
    synced(bot, canvas, edits + 1)
    after = canvas.markdown
    assert section(after, NOTES_TITLE) == section(before, NOTES_TITLE)  # byte for byte
    for title in (GOALS_TITLE, MILESTONES_TITLE):
        assert section(after, title) == section(before, title)
    assert "**Cadence:** Every Tuesday at 15:00 (Europe/Berlin)" in section(after, STRUCTURE_TITLE)
    assert "Every other Tuesday" not in after
    # One block changed: one lookup to find it, one replace.
    (lookup,) = calls_since(bot, start_calls, "canvases.sections.lookup")
    assert "Every other Tuesday at 15:00" in json.loads(lookup["criteria"])["contains_text"]
    (edit,) = calls_since(bot, start_calls, "canvases.edit")
    assert [c["operation"] for c in edit["changes"]] == ["replace"]

    # Maya marks a goal done while another edit holds the canvas: the bot waits, edits once.
    bot.standin.lock_canvas_editing(canvas.id, times=2)
    start_calls, edits = len(bot.standin.calls), len(canvas.edits)
    view = open_home(bot, MAYA)
    goal = next(b for b in view.blocks if "Lead a design review" in str(b))
    after_home_change(
        bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_DONE, block_id=goal["block_id"])
    )
    synced(bot, canvas, edits + 1)
    assert len(canvas.edits) == edits + 1
    assert len(calls_since(bot, start_calls, "canvases.edit")) == 3  # locked, locked, done
    done = canvas.markdown
    assert "- ✅ Lead a design review" in section(done, GOALS_TITLE)
    assert "◻️ Lead a design review" not in done
    assert section(done, NOTES_TITLE) == section(before, NOTES_TITLE)
    assert section(done, STRUCTURE_TITLE) == section(after, STRUCTURE_TITLE)
    bot.tick()
    assert len(canvas.edits) == edits + 1  # nothing more to change: no further edit

    # Slack asks the bot to slow down for a second: it waits, then edits once.
    bot.standin.rate_limit_next("canvases.edit", retry_after=1)
    start_calls, edits = len(bot.standin.calls), len(canvas.edits)
    view = open_home(bot, MAYA)
    goal = next(b for b in view.blocks if "Learn Rust async programming" in str(b))
    after_home_change(
        bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_DONE, block_id=goal["block_id"])
    )
    synced(bot, canvas, edits + 1)
    assert len(calls_since(bot, start_calls, "canvases.edit")) == 2  # 429, then done
    assert section(canvas.markdown, GOALS_TITLE).count("- ✅") == 2


def test_notes_that_repeat_the_bots_words_are_left_alone(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    canvas = shared_canvas(bot)
    client = WebClient(token=TOKEN, base_url=bot.standin.api_url)
    end = {"type": "markdown", "markdown": "We said: Every other Tuesday at 15:00 (Europe/Berlin)"}
    client.canvases_edit(
        canvas_id=canvas.id, changes=[{"operation": "insert_at_end", "document_content": end}]
    )
    before, edits = canvas.markdown, len(canvas.edits)
    edit_plan(bot, OMAR, {"Meeting cadence": "weekly"})
    synced(bot, canvas, edits + 1)
    after = canvas.markdown
    # The lookup finds the bot's line and the note: it cannot tell them apart, so the note
    # (and the bot's old line) stay, and the new line is added beside the old one.
    assert after.endswith(end["markdown"]) and section(after, NOTES_TITLE) == section(
        before, NOTES_TITLE
    )
    structure = section(after, STRUCTURE_TITLE)
    assert "**Cadence:** Every Tuesday at 15:00" in structure
    assert "**Cadence:** Every other Tuesday at 15:00" in structure


def test_without_canvases_both_get_the_plan_as_markdown(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    bot.standin.set_free_team()
    assert "making the plan canvas" in command(bot, MAYA, "plan share")
    files = {user: next_file(bot, user, ".md", 0) for user in (MAYA, OMAR)}
    assert bot.standin.canvases == []
    for user, stored in files.items():
        text = bot.standin.file_content(stored.id).decode()
        assert stored.name == "mentorship-plan-maya-omar.md"
        assert text.startswith("# Mentorship plan — Maya & Omar\n\n## Goals & Vision\n")
        assert "- ◻️ Lead a design review" in text and "## Our notes" in text
        assert "<@U" not in text and "U0MAYA0001" not in text
        (message,) = bot.standin.file_messages(bot.standin.dm_channel_id(user))
        assert "Canvases aren't available in this workspace" in message.text
    # Asking again the same day: the file they have is still the plan.
    assert "still current" in command(bot, MAYA, "plan share")
    bot.tick()
    assert len(dm_files(bot, MAYA, ".md")) == 1


@pytest.mark.parametrize("error", ["canvas_disabled_user_team", "restricted_action"])
def test_canvases_turned_off_or_not_allowed_also_give_markdown(bot: Bot, error: str) -> None:
    start(bot, OMAR)
    bot.tick()
    bot.standin.fail_next("canvases.create", error)
    assert "making the plan canvas" in command(bot, OMAR, "plan share")
    for user in (MAYA, OMAR):
        assert next_file(bot, user, ".md", 0).name == "mentorship-plan-maya-omar.md"
    assert bot.standin.canvases == [] and bot.standin.calls_to("canvases.access.set") == []


def test_a_canvas_deleted_in_slack_is_made_again_on_request(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    canvas = shared_canvas(bot)
    WebClient(token=TOKEN, base_url=bot.standin.api_url).canvases_delete(canvas_id=canvas.id)
    edit_plan(bot, OMAR, {"Meeting cadence": "weekly"})
    wait_for(lambda: (bot.tick(), "making" in command(bot, MAYA, "plan share"))[1], 30)
    wait_dm(bot, MAYA, "is now a canvas")
    (again,) = bot.standin.canvases
    assert again.id != canvas.id and "Every Tuesday at 15:00" in again.markdown


def test_plan_export_puts_the_plan_in_the_askers_dm_only(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    assert "Markdown file" in command(bot, OMAR, "plan export")
    stored = next_file(bot, OMAR, ".md", 0)
    text = bot.standin.file_content(stored.id).decode()
    assert "**Cadence:** Every other Tuesday at 15:00 (Europe/Berlin)" in text
    assert "- [ ] Final review — Thu 9 Sep 2027" in text
    assert dm_files(bot, MAYA, ".md") == []
    assert "`/mentorship plan share [@partner]`" in command(bot, OMAR, "plan nonsense")
