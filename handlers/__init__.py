"""Slack listeners, one module per feature, each with `register(app)`."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    commands,
    documents,
    enrolment,
    home,
    matching,
    meetings,
    pairs,
    people,
    plans,
    program,
    programs,
    reflections,
    sessions,
    workspaces,
)


def register(app: App) -> None:
    """Wire every feature's listeners onto the app. Bolt tries listeners in this order, each
    at some cost (its matchers' arguments are built per listener, about 15 µs), and DM replies
    are the most frequent request: reflections come first (their one `message` listener routes
    every message event; nothing else takes them, so the order changes nothing else)."""
    reflections.register(app)
    commands.register(app)
    plans.register(app)
    meetings.register(app)
    sessions.register(app)
    workspaces.register(app)
    home.register(app)
    pairs.register(app)
    people.register(app)
    documents.register(app)
    program.register(app)
    programs.register(app)
    enrolment.register(app)
    matching.register(app)
