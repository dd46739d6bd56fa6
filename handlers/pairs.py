"""A pair's life from Slack: `/mentorship list|status|pause|resume|end`, the buttons in their
replies, and the Home tab's pause, resume and end buttons.

Every reply to a command is ephemeral. A command that needs one pair asks which one when there
are several; its buttons carry only the pair id, and the click is authorized again from the
signed payload.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import Services, services_of
from bot.home.publish import status_reply
from bot.home.view import HOME_END, HOME_PAUSE, HOME_PAUSE_FOR, HOME_RESUME
from bot.pairs import messages as say
from bot.pairs.choose import Chosen, Reply, choose
from bot.pairs.listing import list_reply
from bot.pairs.manage import change_pair, clamp_weeks, confirm_end
from handlers.common import actor, refresh_after, reply_privately, show_on_home

PICKED = {say.CMD_STATUS: "status", say.CMD_PAUSE: "pause", say.CMD_RESUME: "resume"}
HOME_VERBS = {HOME_PAUSE: "pause", HOME_PAUSE_FOR: "pause", HOME_RESUME: "resume"}


def act(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    verb: str,
    pair_id: Any,
    weeks: int | None = None,
) -> Reply:
    """Do `verb` to one pair (status shows it; end only offers its confirmation button)."""
    if verb == "status":
        return status_reply(services, client, team_id, user_id, pair_id)
    if verb == "end":
        return confirm_end(services, client, team_id, user_id, pair_id)
    change = change_pair(services, client, team_id, user_id, pair_id, verb, weeks)
    if change.applied:
        refresh_after(services, client, team_id, user_id, change.people)
    return change.reply, None


def on_list(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship list`: each of the person's mentorships on a line."""
    team_id, user_id = actor(command)
    text, blocks = list_reply(services_of(context), client, team_id, user_id)
    reply_privately(respond, text, blocks=blocks)


def on_pair_command(
    verb: str,
    rest: str,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """`/mentorship status|pause|resume|end [weeks] [@partner]`: find the pair, ask which one
    if there are several, then act."""
    services = services_of(context)
    team_id, user_id = actor(command)
    chosen = choose(services, client, team_id, user_id, verb, rest)
    if isinstance(chosen, Chosen):
        chosen = act(services, client, team_id, user_id, verb, chosen.pair_id, chosen.weeks)
    text, blocks = chosen
    reply_privately(respond, text, blocks=blocks)


def on_picked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """A button in a command reply: which pair (and, for end, the confirmed click)."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    raw, _, raw_weeks = str(action.get("value") or "").partition(":")
    verb = PICKED.get(action["action_id"])
    if verb is None:  # the confirmed end button itself
        change = change_pair(services, client, team_id, user_id, raw, "end")
        if change.applied:
            refresh_after(services, client, team_id, user_id, change.people)
        respond(text=change.reply, response_type="ephemeral", replace_original=True)
        return
    weeks = clamp_weeks(raw_weeks) if verb == "pause" else None
    text, blocks = act(services, client, team_id, user_id, verb, raw, weeks)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


def on_home_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Pause (2 weeks, or as chosen), resume or end from the Home tab."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    raw, weeks = action.get("value"), None
    if action["action_id"] == HOME_PAUSE_FOR:
        option = action.get("selected_option") or {}
        raw, _, raw_weeks = str(option.get("value") or "").partition(":")
        weeks = clamp_weeks(raw_weeks)
    verb = HOME_VERBS.get(action["action_id"], "end")
    change = change_pair(services, client, team_id, user_id, raw, verb, weeks)
    if change.applied:
        refresh_after(services, client, team_id, user_id, change.people)
    else:
        show_on_home(services, client, team_id, user_id, change.reply)


def register(app: App) -> None:
    """Wire the buttons of command replies and the Home's pair buttons (the commands themselves
    are routed by handlers.commands)."""
    for action_id in (say.CMD_STATUS, say.CMD_PAUSE, say.CMD_RESUME, say.CMD_END):
        app.action(action_id)(on_picked)
    for action_id in (HOME_PAUSE, HOME_PAUSE_FOR, HOME_RESUME, HOME_END):
        app.action(action_id)(on_home_button)
