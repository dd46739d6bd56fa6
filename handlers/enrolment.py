"""Enrolling in a program from Slack: `/mentorship join [program]`, `/mentorship leave [program]`,
the Home's Join button, the program picker and the enrolment form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.core.services import services_of
from bot.programs.enrol import leave, open_join, opened_from_home, picked, submit_enrolment
from bot.programs.enrol_modal import ENROL_CALLBACK, PICK_CALLBACK
from bot.programs.home import HOME_JOIN
from handlers.common import actor, refresh_after, reply_privately, show_errors, tell_in_dm


def on_join(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship join [program]`: the enrolment form (a program picker first if several)."""
    team_id, user_id = actor(command)
    services = services_of(context)
    refusal = open_join(services, client, team_id, user_id, rest, command["trigger_id"])
    if refusal:
        reply_privately(respond, refusal)


def on_leave(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship leave [program]`: withdraw before matching."""
    team_id, user_id = actor(command)
    services = services_of(context)
    reply_privately(respond, leave(services, team_id, user_id, rest))
    refresh_after(services, client, team_id, user_id, [])


def on_join_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Join a program, on the Home tab: the same as `/mentorship join`."""
    ack()
    team_id, user_id = actor(body)
    services = services_of(context)
    refusal = open_join(services, client, team_id, user_id, "", body["trigger_id"], from_home=True)
    if refusal:
        tell_in_dm(client, user_id, refusal)


def on_program_picked(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """The picker's Next: the chosen program's enrolment form in the same modal."""
    team_id, user_id = actor(body)
    shown = picked(services_of(context), team_id, user_id, view)
    if isinstance(shown, View):
        ack(response_action="update", view=shown)
    else:
        show_errors(ack, shown)


def on_enrolment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The enrolment form: field errors, or the enrolment stored (its DM queued)."""
    services = services_of(context)
    team_id, user_id = actor(body)
    stored = submit_enrolment(services, team_id, user_id, view)
    if isinstance(stored, dict):
        show_errors(ack, stored)
        return
    ack()
    if opened_from_home(view):  # they are looking at the Home tab: show the enrolment
        refresh_after(services, client, team_id, user_id, [])


def register(app: App) -> None:
    """Wire the Join button, the picker and the enrolment form."""
    app.action(HOME_JOIN)(on_join_clicked)
    app.view(PICK_CALLBACK)(on_program_picked)
    app.view(ENROL_CALLBACK)(on_enrolment_submitted)
