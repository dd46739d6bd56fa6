"""The program leads' surface in Slack: `/mentorship report` (and `report csv`, also a Home
button), and `/mentorship admins` to see and change who runs the program."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.people.program_admins import change_admins, list_admins
from bot.reports.csv_dm import send_report_csv
from bot.reports.reply import report_reply
from bot.reports.view import HOME_REPORT_CSV
from handlers.common import actor, refresh_after, reply_privately, show_on_home


def on_report(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship report`: the program report for program admins, a refusal for others."""
    team_id, user_id = actor(command)
    text, blocks = report_reply(services_of(context), client, team_id, user_id)
    reply_privately(respond, text, blocks=blocks)


def on_report_csv(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship report csv`: the report as a CSV file in the program admin's DM."""
    team_id, user_id = actor(command)
    reply_privately(respond, send_report_csv(services_of(context), client, team_id, user_id))


def on_report_csv_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """*Report as CSV* on an admin's Home tab: the file in their DM, a line on the Home."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    said = send_report_csv(services, client, team_id, user_id)
    show_on_home(services, client, team_id, user_id, said)


def on_admins(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship admins`: who runs the program, and where each admin comes from."""
    team_id, _ = actor(command)
    reply_privately(respond, list_admins(services_of(context), team_id))


def on_admins_change(
    verb: str,
    rest: str,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """`/mentorship admins add|remove @person…` (workspace admins and owners only)."""
    services = services_of(context)
    team_id, user_id = actor(command)
    said = change_admins(services, client, team_id, user_id, verb, rest)
    reply_privately(respond, said.text)
    if said.people:  # their Home tabs gain (or lose) the program overview
        refresh_after(services, client, team_id, user_id, said.people)


def register(app: App) -> None:
    """Wire the Home's report button (the commands are routed by handlers.commands)."""
    app.action(HOME_REPORT_CSV)(on_report_csv_clicked)
