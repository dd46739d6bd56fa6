"""Install lifecycle: uninstalls and revoked tokens stop a workspace's schedules, data stays."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.core.services import Services, services_of
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


def _forget_installation(services: Services, team_id: str, bots_only: bool) -> None:
    store = services.installation_store
    if store is None:
        return
    if bots_only:
        store.delete_bot(enterprise_id=None, team_id=team_id)
    else:
        store.delete_all(enterprise_id=None, team_id=team_id)


def on_app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    """The workspace removed the app."""
    services = services_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    _forget_installation(services, team_id, bots_only=False)
    stop_workspace(services, team_id, "app uninstalled")


def on_tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """The bot token was revoked: nothing can be sent any more."""
    services = services_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    if (event.get("tokens") or {}).get("bot"):
        _forget_installation(services, team_id, bots_only=True)
        stop_workspace(services, team_id, "bot token revoked")


def reactivate_on_traffic(services: Services, context: BoltContext) -> None:
    """Single-workspace mode: a signed request from a stopped workspace means it is back.

    Called for every request before its listener; a workspace seen active in the last few
    seconds is not read again (the 3-second paths should not wait for the database).
    """
    team_id = context.team_id
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


def register(app: App) -> None:
    """Wire the lifecycle events."""
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
