"""A workspace arriving (the welcome), stopping (uninstalled, token revoked) and coming back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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

    Called for every request before its listener, and the 3-second paths should not wait for
    the database. A workspace this process has seen active is trusted without a read for a few
    seconds (`services.active_teams`); after that one request has it read again on the
    checker's thread while it and every other request go on (it was active a moment ago). Only
    a workspace this process has never seen active, or learned was stopped, is read before the
    listener. The welcome is written in a thread of its own while the listener answers Slack.
    """
    team_id = context.team_id
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("type") in DEPARTURES:
        return
    seen = services.active_teams
    if (
        not team_id
        or team_id in seen
        or services.config.slack.oauth_enabled
        or not context.get("authorize_result")
    ):
        return
    if seen.known(team_id):
        if seen.due(team_id):
            _CHECKER.submit(_check_again, services, team_id, body)
        return
    _check(services, team_id, body)


# Reads again the status of workspaces seen active a while ago, one at a time, beside the
# requests (a pool's thread: a request does not wait for a new thread to start).
_CHECKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workspace-check")


def _check_again(services: Services, team_id: str, body: Mapping[str, Any]) -> None:
    """`_check` for a workspace seen active a while ago; when it fails, however, the failure
    is logged (on the pool's thread nothing else would show it) and the next request has it
    tried again (a check left claimed would never be given again)."""
    try:
        _check(services, team_id, body)
    except Exception:
        log.exception("could not check the workspace's status", extra={"team_id": team_id})
        services.active_teams.release(team_id)


def _check(services: Services, team_id: str, body: Mapping[str, Any]) -> None:
    """Read the workspace's status: never recorded, welcome the person acting (in a thread of
    its own); stopped, revive it. Then it counts as active for a while."""
    with services.sessions() as session:
        status = workspace_status(session, team_id)
    if status is None:
        user_id = acting_person(body)
        if not user_id:
            services.active_teams.release(team_id)
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
