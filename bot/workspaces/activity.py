"""A workspace stopping (uninstalled, token revoked) and coming back."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import BoltContext

from bot.core.services import Services
from storage.workspaces import is_active, reactivate_workspace, stop_workspace_rows

log = logging.getLogger(__name__)


def stop_workspace(services: Services, team_id: str, reason: str) -> int:
    """Mark the workspace inactive and cancel its pending messages; return how many."""
    now = services.clock.now()
    with services.sessions.begin() as session:
        count = stop_workspace_rows(session, team_id, reason, now)
    services.active_teams.forget(team_id)
    log.warning(
        "workspace stopped (%s): %d pending messages cancelled; its data is kept until an "
        "operator runs `mentorship-bot purge-team %s`",
        reason,
        count,
        team_id,
        extra={"team_id": team_id},
    )
    return count


def forget_installation(services: Services, team_id: str, bots_only: bool) -> None:
    """Drop the stored OAuth installation (all of it, or only its bot token)."""
    store = services.installation_store
    if store is None:
        return
    if bots_only:
        store.delete_bot(enterprise_id=None, team_id=team_id)
    else:
        store.delete_all(enterprise_id=None, team_id=team_id)


# Slack sends these because the workspace is leaving: they never mean it is back (after
# tokens_revoked, app_uninstalled arrives signed a moment later).
DEPARTURES = frozenset({"app_uninstalled", "tokens_revoked"})


def reactivate_on_traffic(
    services: Services, context: BoltContext, body: Mapping[str, Any]
) -> None:
    """Single-workspace mode: a signed request from a stopped workspace means it is back.

    Called for every request before its listener; a workspace seen active in the last few
    seconds is not read again (the 3-second paths should not wait for the database).
    """
    team_id = context.team_id
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("type") in DEPARTURES:
        return
    if (
        not team_id
        or team_id in services.active_teams
        or services.config.slack.oauth_enabled
        or not context.get("authorize_result")
    ):
        return
    with services.sessions() as session:
        active = is_active(session, team_id)
    if not active:
        with services.sessions.begin() as session:
            revived = reactivate_workspace(session, team_id, services.clock.now())
        log.warning(
            "workspace active again (a signed request arrived): %d stopped messages "
            "revived, schedules planned again",
            revived,
            extra={"team_id": team_id},
        )
    services.active_teams.add(team_id)
