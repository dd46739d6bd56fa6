"""The program leads' surface in Slack: `/mentorship report`."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.reports.reply import report_reply
from handlers.common import actor, reply_privately


def on_report(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship report`: the program report for program admins, a refusal for others."""
    team_id, user_id = actor(command)
    text, blocks = report_reply(services_of(context), client, team_id, user_id)
    reply_privately(respond, text, blocks=blocks)
