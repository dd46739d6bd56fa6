"""Programs from Slack: `/mentorship program [new|edit|close|open|match] [NAME]` (a table), the
program form, and the program buttons on a lead's Home tab. Each listener reads who acts from the
signed payload and calls one function of bot/programs/."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.payload import parse_id
from bot.core.services import services_of
from bot.programs import messages as say
from bot.programs.home import HOME_CLOSE, HOME_EDIT_PROGRAM, HOME_REOPEN, HOME_REVIEW
from bot.programs.manage import (
    list_reply,
    open_edit_program,
    open_new_program,
    set_enrolment_open,
    submit_program,
)
from bot.programs.modal import PROGRAM_CALLBACK
from bot.programs.review import open_review
from handlers.common import actor, refresh_after, reply_privately, show_errors, tell_in_dm

Sub = Callable[[str, dict[str, Any], WebClient, BoltContext, Respond], None]


def on_list(
    name: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship program`: the programs here with their counts."""
    team_id, user_id = actor(command)
    text, blocks = list_reply(services_of(context), client, team_id, user_id)
    reply_privately(respond, text, blocks=blocks)


def on_new(
    name: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship program new`: the program form, for program admins."""
    team_id, user_id = actor(command)
    refusal = open_new_program(
        services_of(context), client, team_id, user_id, command["trigger_id"]
    )
    if refusal:
        reply_privately(respond, refusal)


def on_edit(
    name: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship program edit NAME`: the program form, prefilled, for its leads."""
    team_id, user_id = actor(command)
    services = services_of(context)
    refusal = open_edit_program(services, client, team_id, user_id, name, command["trigger_id"])
    if refusal:
        reply_privately(respond, refusal)


def on_enrolment_switch(
    open_: bool,
    name: str,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """`/mentorship program close NAME` / `open NAME`."""
    services = services_of(context)
    team_id, user_id = actor(command)
    change = set_enrolment_open(services, client, team_id, user_id, name, open_)
    reply_privately(respond, change.reply)
    if change.applied:
        refresh_after(services, client, team_id, user_id, change.people)


def on_match(
    name: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship program match [NAME]`: the proposal, in the review modal, for its leads."""
    team_id, user_id = actor(command)
    services = services_of(context)
    refusal = open_review(services, client, team_id, user_id, name, command["trigger_id"])
    if refusal:
        reply_privately(respond, refusal)


def on_help(
    name: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    reply_privately(respond, say.USAGE)


PROGRAM_COMMANDS: dict[str, Sub] = {
    "": on_list,
    "list": on_list,
    "new": on_new,
    "edit": on_edit,
    "close": partial(on_enrolment_switch, False),
    "open": partial(on_enrolment_switch, True),
    "match": on_match,
    "help": on_help,
}


def on_program(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship program ...`: routed by the word after `program`."""
    sub, _, name = rest.strip().partition(" ")
    listener = PROGRAM_COMMANDS.get(sub.lower())
    if listener is None:
        reply_privately(respond, f"I don't know `program {sub[:40]}`.\n\n{say.USAGE}")
        return
    listener(name, command, client, context, respond)


def on_program_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The program form: field errors, or the program stored and the lead's Home refreshed."""
    services = services_of(context)
    team_id, user_id = actor(body)
    stored = submit_program(services, team_id, user_id, view)
    if isinstance(stored, dict):
        show_errors(ack, stored)
        return
    ack()
    refresh_after(services, client, team_id, user_id, [])


def on_home_review(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Review matches, on a lead's Home tab: the same review as `/mentorship program match`."""
    ack()
    team_id, user_id = actor(body)
    program_id = parse_id(action.get("value")) or 0
    refusal = open_review(
        services_of(context), client, team_id, user_id, program_id, body["trigger_id"]
    )
    if refusal:
        tell_in_dm(client, user_id, refusal)


def on_home_edit(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """✏️ Edit program, on a lead's Home tab: the program form, prefilled."""
    ack()
    team_id, user_id = actor(body)
    program_id = parse_id(action.get("value")) or 0
    refusal = open_edit_program(
        services_of(context), client, team_id, user_id, program_id, body["trigger_id"]
    )
    if refusal:
        tell_in_dm(client, user_id, refusal)


def on_home_enrolment_switch(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Close or Reopen enrolment, on a lead's Home tab."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    program_id, reopen = parse_id(action.get("value")) or 0, action["action_id"] == HOME_REOPEN
    change = set_enrolment_open(services, client, team_id, user_id, program_id, reopen)
    if change.applied:
        refresh_after(services, client, team_id, user_id, change.people)
    else:
        tell_in_dm(client, user_id, change.reply)


def register(app: App) -> None:
    """Wire the program form and the lead's Home buttons."""
    app.view(PROGRAM_CALLBACK)(on_program_submitted)
    app.action(HOME_REVIEW)(on_home_review)
    app.action(HOME_EDIT_PROGRAM)(on_home_edit)
    app.action(HOME_CLOSE)(on_home_enrolment_switch)
    app.action(HOME_REOPEN)(on_home_enrolment_switch)
