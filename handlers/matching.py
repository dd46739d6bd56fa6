"""The lead's review of a proposal: every button and menu in the review modal (approve, pin,
reject, swap, the settings, paging, re-run, publish) goes through one listener."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.programs.review import review_action
from bot.programs.review_view import ACTIONS
from handlers.common import actor, refresh_after, tell_in_dm


def on_review_action(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A click in the review: checked against the lead and the proposal, then redrawn."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    done = review_action(services, client, team_id, user_id, action, body.get("view") or {})
    if done.refusal:
        tell_in_dm(client, user_id, done.refusal)
    if done.people:
        refresh_after(services, client, team_id, user_id, done.people)


def register(app: App) -> None:
    """Wire the review's buttons and menus."""
    for action_id in ACTIONS:
        app.action(action_id)(on_review_action)
