"""A workspace whose bot token Slack refuses stops, as on `tokens_revoked`."""

from __future__ import annotations

import logging

from bot.core.services import Services
from bot.delivery.problems import operator_fix
from storage.outbox import CANCELLED, finish
from storage.workspaces import STOPPED, stop_workspace_rows

log = logging.getLogger(__name__)


def stop_for_token(
    services: Services, owner: str, delivery_id: int, team_id: str, error: str
) -> int:
    """Slack refused the bot's own token (`invalid_auth`, `account_inactive`, ...): stop the
    workspace. This row and every pending one are cancelled as stopped, so a reinstall (or a
    signed request once a new SLACK_BOT_TOKEN is in place) sends them after all; the rest of
    the tick's claimed rows of the workspace follow (render sees it stopped). Nobody is told
    to end a mentorship: the recipient did nothing wrong. Returns how many messages wait."""
    now = services.clock.now()
    reason = f"bot token refused by Slack ({error})"
    with services.sessions.begin() as session:
        finish(
            session,
            delivery_id,
            owner,
            CANCELLED,
            now=now,
            error=f"{STOPPED}: {reason}",
            count_attempt=False,
        )
        waiting = 1 + stop_workspace_rows(session, team_id, reason, now)
    services.active_teams.forget(team_id)
    log.error(
        "workspace stopped: Slack refused the bot token (%s) — %s; %d waiting messages are "
        "held until it is back",
        error,
        operator_fix(error),
        waiting,
        extra={"team_id": team_id, "delivery_id": delivery_id},
    )
    return waiting
