"""The reply to `/mentorship report` (ephemeral): counts for program admins, a refusal for others."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.core.services import Services
from bot.people.admins import is_admin
from bot.reports.totals import program_totals
from bot.reports.view import REPORT_ADMINS_ONLY, report_blocks


def report_reply(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> tuple[str, list[Block] | None]:
    """`/mentorship report`: the program report for this workspace, for its program admins."""
    if not is_admin(services, client, team_id, user_id):
        return REPORT_ADMINS_ONLY, None
    with services.sessions() as session:
        totals = program_totals(session, team_id, services.clock.now())
    text, blocks = report_blocks(totals)
    return text, list(blocks)
