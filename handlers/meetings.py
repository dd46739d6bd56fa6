"""Structure & Communication: answers to meeting nudges (We met, Skip, Reschedule), each for the
whole pair. Each listener calls one function of bot/meetings/answers.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.meetings.answers import Message, answer, open_reschedule, reschedule, show_moved
from bot.meetings.messages import MET, RESCHEDULE, SKIP
from bot.meetings.modal import CALLBACK_ID
from handlers.common import actor, reply_privately, show_errors


def clicked(body: Mapping[str, Any]) -> Message | None:
    """(channel, ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return (str(channel), str(ts)) if channel and ts else None


def on_meeting_answer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """✅ We met / ⏭ Skip: record the answer once for the pair and replace the buttons."""
    ack()
    team_id, user_id = actor(body)
    status = "held" if action["action_id"] == MET else "skipped"
    shown = (body.get("message") or {}).get("blocks") or []
    refusal = answer(
        services_of(context),
        client,
        team_id,
        user_id,
        action.get("value"),
        status,
        clicked(body),
        shown,
    )
    if refusal:
        reply_privately(respond, refusal)


def on_reschedule_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """📅 Reschedule: open a modal with the meeting's time in the clicker's zone."""
    ack()
    team_id, user_id = actor(body)
    refusal = open_reschedule(
        services_of(context),
        client,
        team_id,
        user_id,
        action.get("value"),
        body["trigger_id"],
        clicked(body),
    )
    if refusal:
        reply_privately(respond, refusal)


def on_reschedule_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Move one meeting; the series continues from the plan."""
    services = services_of(context)
    team_id, user_id = actor(body)
    moved = reschedule(services, client, team_id, user_id, view)
    if isinstance(moved, dict):
        show_errors(ack, moved)
        return
    ack()
    show_moved(services, client, user_id, moved)


def register(app: App) -> None:
    """Wire the nudge buttons and the reschedule modal."""
    app.action(MET)(on_meeting_answer)
    app.action(SKIP)(on_meeting_answer)
    app.action(RESCHEDULE)(on_reschedule_clicked)
    app.view(CALLBACK_ID)(on_reschedule_submitted)
