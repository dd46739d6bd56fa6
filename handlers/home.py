"""The App Home tab: published whenever someone opens it.

The Home's buttons live with the feature they act on: start, edit and goals in handlers/plans.py;
pause, resume and end in handlers/pairs.py.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.home.publish import publish_home


def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Publish the Home tab whenever someone opens it."""
    if event.get("tab", "home") != "home":
        return
    team_id = str(body.get("team_id") or context.team_id or "")
    publish_home(services_of(context), client, team_id, str(event["user"]))


def register(app: App) -> None:
    """Wire the Home tab."""
    app.event("app_home_opened")(on_home_opened)
