"""`user_change`: Slack tells the bot a person changed (deactivated, a new time zone...)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.home.publish import refresh_homes
from bot.pairs.lifecycle import on_user_changed


def on_user_change(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Update the cache; pause pairs of a deactivated user; re-time after a time zone change."""
    services = services_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    partners = on_user_changed(services, team_id, event.get("user") or {})
    if partners:
        refresh_homes(services, client, team_id, partners)


def register(app: App) -> None:
    """Wire the user_change event."""
    app.event("user_change")(on_user_change)
