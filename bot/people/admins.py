"""Who runs the program: configured admins, plus the workspace's own admins and owners."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.people.lookup import lookup_person

log = logging.getLogger(__name__)


def is_admin(services: Services, client: WebClient, team_id: str, user_id: str) -> bool:
    """True for ids in `[program] admins`, and (unless `workspace_admins = false`) for the
    workspace's admins and owners as `users.info` reports them (cached like other user facts)."""
    program = services.config.program
    if user_id in program.admins:
        return True
    if not program.workspace_admins:
        return False
    try:
        return lookup_person(services, client, team_id, user_id).is_admin
    except SlackApiError as exc:
        log.warning("users.info failed while checking admin rights: %s", exc.response.get("error"))
        return False
