"""Goals & Vision: the plan modal (start from the command, the Home or the "Start a mentorship"
shortcut), its submission, editing a plan, and a plan's goals (on the Home tab, or from a message
with the "Add as a goal" shortcut). Each listener calls one function of bot/plans/."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.home.publish import publish_home
from bot.home.view import HOME_EDIT, HOME_GOAL_ADD, HOME_GOAL_DONE, HOME_GOAL_REOPEN, HOME_START
from bot.plans.edit import EDIT_CALLBACK, open_edit, submit_edit
from bot.plans.from_message import open_goal_from_message
from bot.plans.goal_modal import GOAL_CALLBACK, goal_added_answer
from bot.plans.goals import add_goal, open_goal_modal, set_goal
from bot.plans.modal import CALLBACK_ID
from bot.plans.start import (
    FORM_DID_NOT_OPEN,
    FROM_HOME,
    open_start_modal,
    opened_from_home,
    plan_started_pair,
    submit_plan,
)
from bot.workspaces.manifest import GOAL_SHORTCUT, START_SHORTCUT
from handlers.common import actor, refresh_after, show_errors, show_on_home


def on_start_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """➕ Start a mentorship: the same plan modal as `/mentorship start`."""
    ack()
    if not open_start_modal(client, body["trigger_id"], metadata={"from": FROM_HOME}):
        team_id, user_id = actor(body)
        show_on_home(services_of(context), client, team_id, user_id, FORM_DID_NOT_OPEN)


def on_start_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """The global shortcut "Start a mentorship": the same plan modal as `/mentorship start`."""
    ack()
    open_start_modal(client, shortcut["trigger_id"], metadata={})


def on_add_as_goal(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The message shortcut "Add as a goal": the message's text as a goal of a mentorship."""
    ack()
    team_id, user_id = actor(shortcut)
    text = str((shortcut.get("message") or {}).get("text") or "")
    open_goal_from_message(
        services_of(context), client, team_id, user_id, text, shortcut["trigger_id"]
    )


def on_plan_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Field errors in the modal, or the stored plan (both summaries queued) and the modal closed."""
    services = services_of(context)
    team_id, creator_id = actor(body)
    stored = submit_plan(services, team_id, creator_id, view)
    if isinstance(stored, dict):
        show_errors(ack, stored)
        return
    ack()
    plan_started_pair(services, stored)
    if opened_from_home(view):  # they are looking at the Home tab: show the new pair
        publish_home(services, client, team_id, creator_id)


def on_edit_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """✏️ Edit plan: the plan modal prefilled from the pair."""
    ack()
    team_id, user_id = actor(body)
    services = services_of(context)
    refusal = open_edit(services, client, team_id, user_id, action.get("value"), body["trigger_id"])
    if refusal:
        show_on_home(services, client, team_id, user_id, refusal)


def on_plan_edited(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the edited plan and rebuild the schedule, or show field errors."""
    services = services_of(context)
    team_id, user_id = actor(body)
    change = submit_edit(services, client, team_id, user_id, view)
    if isinstance(change, dict):
        show_errors(ack, change)
        return
    ack()
    refresh_after(services, client, team_id, user_id, change.people)


def on_goal_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """✅ Mark done, or open a goal again."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    done = action["action_id"] == HOME_GOAL_DONE
    change = set_goal(services, client, team_id, user_id, action.get("value"), done)
    if change.applied:
        refresh_after(services, client, team_id, user_id, change.people)
    else:
        show_on_home(services, client, team_id, user_id, change.reply)


def on_add_goal_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """➕ Add a goal: the goal modal, for a pair the user may change."""
    ack()
    team_id, user_id = actor(body)
    services = services_of(context)
    refusal = open_goal_modal(
        services, client, team_id, user_id, action.get("value"), body["trigger_id"]
    )
    if refusal:
        show_on_home(services, client, team_id, user_id, refusal)


def on_goal_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store a new goal (re-checking who submits it)."""
    services = services_of(context)
    team_id, user_id = actor(body)
    change = add_goal(services, client, team_id, user_id, view)
    if isinstance(change, dict):
        show_errors(ack, change)
        return
    ack(**goal_added_answer(view, change.reply))  # from a message: say what was added, where
    refresh_after(services, client, team_id, user_id, change.people)


def register(app: App) -> None:
    """Wire the plan modal, the edit modal, the goal buttons and both shortcuts."""
    app.view(CALLBACK_ID)(on_plan_submitted)
    app.action(HOME_START)(on_start_clicked)
    app.action(HOME_EDIT)(on_edit_clicked)
    app.view(EDIT_CALLBACK)(on_plan_edited)
    app.action(HOME_GOAL_DONE)(on_goal_button)
    app.action(HOME_GOAL_REOPEN)(on_goal_button)
    app.action(HOME_GOAL_ADD)(on_add_goal_clicked)
    app.view(GOAL_CALLBACK)(on_goal_submitted)
    app.shortcut(START_SHORTCUT)(on_start_shortcut)
    app.shortcut(GOAL_SHORTCUT)(on_add_as_goal)
