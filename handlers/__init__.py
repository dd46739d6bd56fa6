"""Slack listeners, one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    commands,
    home,
    meetings,
    pairs,
    people,
    plans,
    program,
    reflections,
    workspaces,
)


def register(app: App) -> None:
    """Wire every feature's listeners onto the app."""
    commands.register(app)
    plans.register(app)
    meetings.register(app)
    reflections.register(app)
    workspaces.register(app)
    home.register(app)
    pairs.register(app)
    people.register(app)
    program.register(app)
