"""Who runs the program: configured admins, admins added from Slack, and (unless
`workspace_admins = false`) the workspace's own admins and owners."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services
from bot.people.lookup import FRESH_FOR, lookup_person
from storage.admins import is_program_admin

log = logging.getLogger(__name__)


def is_admin(services: Services, client: WebClient, team_id: str, user_id: str) -> bool:
    """True for ids in `[program] admins`, for people added with `/mentorship admins add`, and
    (unless `workspace_admins = false`) for the workspace's admins and owners as `users.info`
    reports them (cached like other user facts)."""
    program = services.config.program
    if user_id in program.admins:
        return True
    with services.sessions() as session:
        if is_program_admin(session, team_id, user_id):
            return True
    return program.workspace_admins and is_workspace_admin(services, client, team_id, user_id)


def is_workspace_admin(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    *,
    max_age: timedelta = FRESH_FOR,
) -> bool:
    """True for the workspace's admins and owners (`users.info`, from the cache when fresh)."""
    try:
        return lookup_person(services, client, team_id, user_id, max_age=max_age).is_admin
    except SlackApiError as exc:
        log.warning("users.info failed while checking admin rights: %s", exc.response.get("error"))
        return False
