"""A workspace arriving (the welcome), stopping (uninstalled, token revoked) and coming back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.exc import SQLAlchemyError

from bot.core.payload import acting_person
from bot.core.services import Services
from bot.workspaces.welcome import queue_welcome
from storage.workspaces import (
    first_seen,
    reactivate_workspace,
    stop_workspace_rows,
    workspace_status,
)

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
    """Single-workspace mode: a signed request from a stopped workspace means it is back, and
    the first signed request from a person in a workspace never seen means it was just
    installed: that person gets the welcome DM (once; bot/workspaces/welcome.py). Uninstall and
    revoke events never count as either.

    Called for every request before its listener; a workspace seen active in the last few
    seconds is not read again (the 3-second paths should not wait for the database), and the
    welcome is written in a thread of its own while the listener answers Slack.
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
        status = workspace_status(session, team_id)
    if status is None:
        user_id = acting_person(body)
        if not user_id:
            return  # not known yet, and no person to welcome: ask again on the next request
        threading.Thread(
            target=_welcome_first_person,
            args=(services, team_id, user_id),
            name=f"welcome-{team_id}",
            daemon=True,
        ).start()
    elif status != "active":
        with services.sessions.begin() as session:
            revived = reactivate_workspace(session, team_id, services.clock.now())
        log.warning(
            "workspace active again (a signed request arrived): %d stopped messages "
            "revived, schedules planned again",
            revived,
            extra={"team_id": team_id},
        )
    services.active_teams.add(team_id)


def _welcome_first_person(services: Services, team_id: str, user_id: str) -> None:
    """Record a newly installed workspace and queue the welcome for the person who came first
    (a second request, process or thread finds the workspace recorded and queues nothing)."""
    now = services.clock.now()
    try:
        with services.sessions.begin() as session:
            if first_seen(session, team_id, now):
                queue_welcome(session, team_id, user_id, now)
                log.info("a new workspace: welcome DM queued", extra={"team_id": team_id})
    except SQLAlchemyError:
        # Nothing was written: the next request from a person tries again.
        log.exception("could not record a new workspace", extra={"team_id": team_id})
        services.active_teams.forget(team_id)
        return
    services.waker()
