"""Uninstalls and revoked tokens: the workspace's schedules stop, its data stays."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.core.services import services_of
from bot.workspaces.activity import forget_installation, stop_workspace


def on_app_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    """The workspace removed the app."""
    services = services_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    forget_installation(services, team_id, bots_only=False)
    stop_workspace(services, team_id, "app uninstalled")


def on_tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """The bot token was revoked: nothing can be sent any more."""
    services = services_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    if (event.get("tokens") or {}).get("bot"):
        forget_installation(services, team_id, bots_only=True)
        stop_workspace(services, team_id, "bot token revoked")


def register(app: App) -> None:
    """Wire the lifecycle events."""
    app.event("app_uninstalled")(on_app_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
