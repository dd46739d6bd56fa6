"""The reply to `/mentorship report` (ephemeral): counts for program admins, a refusal for others."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.core.services import Services
from bot.people.admins import is_admin
from bot.reports.overview import counted_at, overview
from bot.reports.view import REPORT_ADMINS_ONLY, report_blocks


def report_reply(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> tuple[str, list[Block] | None]:
    """`/mentorship report`: the program report for this workspace, for its program admins.
    Its numbers are the admin Home's overview: counted now, or in a workspace of thousands of
    pairs the snapshot the scheduler recounts every few minutes, saying when."""
    if not is_admin(services, client, team_id, user_id):
        return REPORT_ADMINS_ONLY, None
    now = services.clock.now()
    with services.sessions() as session:
        totals = overview(services, session, team_id, now)  # a large workspace's snapshot
    text, blocks = report_blocks(totals, counted_at=counted_at(totals, now))
    return text, list(blocks)
