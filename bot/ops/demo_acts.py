"""The demo's short acts around the mentorship: looking at the Home tab, marking a goal done, a
goal taken from a message, and a program admin's report (bot/ops/demo.py plays them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.home.view import HOME_GOAL_DONE
from bot.ops.demo_steps import wait_for
from bot.workspaces.manifest import GOAL_SHORTCUT

if TYPE_CHECKING:  # the story is built in demo.py, which imports these acts
    from bot.ops.demo import Story

OMAR, MAYA, KAI = "U0OMAR0001", "U0MAYA0001", "U0KAI00001"
MENTORING = "C0MENTOR01"


def show_home(story: Story, user_id: str) -> None:
    """The person opens the app's Home tab; the transcript shows what was published."""
    before = story.standin.home_view(user_id)
    old_hash = before.view["hash"] if before else None
    story.driver.open_home(user_id)
    wait_for(
        lambda: (
            (view := story.standin.home_view(user_id)) is not None and view.view["hash"] != old_hash
        ),
        "the Home tab",
    )
    story.flush()


def mark_first_goal_done(story: Story, user_id: str) -> None:
    """The person opens the Home tab and marks their first open goal done."""
    show_home(story, user_id)
    home = story.standin.home_view(user_id)
    assert home is not None
    old_hash = home.view["hash"]
    story.driver.click(user_id, HOME_GOAL_DONE, view_id=home.id)
    wait_for(
        lambda: (
            (view := story.standin.home_view(user_id)) is not None and view.view["hash"] != old_hash
        ),
        "the Home tab to show the goal done",
    )
    story.flush()


def goal_from_a_message(story: Story) -> None:
    """Maya turns what she wrote in #mentoring into a goal: the "Add as a goal" shortcut."""
    text = "Next I'd like to present our design system at the all-hands"
    _, ts = story.driver.send_message_event(MAYA, channel_id=MENTORING, text=text)
    message = story.standin.ws.find_message(MENTORING, ts)
    assert message is not None  # recorded before the event went out
    story.driver.message_shortcut(MAYA, GOAL_SHORTCUT, message, "Add as a goal")
    form = wait_for(lambda: [v for v in story.standin.views_for(MAYA) if v.is_open], "the form")
    story.driver.submit_view(MAYA, form[-1].id, {})  # the text as it was, her own goal
    story.flush()


def show_report(story: Story, again: bool = False) -> None:
    """Kai, a workspace admin, looks at the program: their Home tab (the first time, with how it
    works), `/mentorship report`, and (the first time) every pair as a CSV file in the DM."""
    if not again:
        story.standin.add_user(KAI, "kai", real_name="Kai", tz="Pacific/Auckland", is_admin=True)
        show_home(story, KAI)
    before = len(story.standin.ephemeral_messages(KAI))
    story.driver.slash_command(KAI, "report")
    wait_for(lambda: len(story.standin.ephemeral_messages(KAI)) > before, "the report")
    if not again:
        story.driver.slash_command(KAI, "report csv")
        wait_for(lambda: story.standin.dm_files(KAI), "the CSV")
    story.flush()
