"""Slack listeners, one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from handlers import commands, home, manage, meetings, people, plans, reflections, workspace


def register(app: App) -> None:
    """Wire every feature's listeners onto the app."""
    commands.register(app)
    plans.register(app)
    meetings.register(app)
    reflections.register(app)
    workspace.register(app)
    home.register(app)
    manage.register(app)
    people.register(app)
