"""The plan leaves the bot: `/mentorship calendar` and `plan share|export`, the 📅 calendar
buttons (plan summary, Home, change notices), the Home's canvas button and calendar link. Each
listener calls one function of bot/documents/."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.documents.calendar_file import calendar_command, request_calendar
from bot.documents.canvas import request_share, share_command
from bot.documents.export import export_command, request_export
from bot.documents.feed import new_feed_link, revoke_feed_link
from bot.documents.messages import EXPORT_PLAN, FEED_NEW, FEED_REVOKE, PLAN_USAGE, SHARE_CANVAS
from bot.meetings.messages import CALENDAR_FILE
from handlers.common import actor, answer_click, refresh_after, reply_privately, tell_in_dm

PLAN_VERBS = {"share": share_command, "export": export_command}
CLICKS = {CALENDAR_FILE: request_calendar, SHARE_CANVAS: request_share, EXPORT_PLAN: request_export}
FEED = {FEED_NEW: new_feed_link, FEED_REVOKE: revoke_feed_link}


def on_calendar(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship calendar [@partner]`: the meeting series as a file in the DM."""
    team_id, user_id = actor(command)
    text, blocks = calendar_command(services_of(context), client, team_id, user_id, rest)
    reply_privately(respond, text, blocks=blocks)


def on_plan(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship plan share|export [@partner]`: the plan as a canvas or a Markdown file."""
    verb, _, mention = rest.strip().partition(" ")
    feature = PLAN_VERBS.get(verb.lower())
    if feature is None:
        reply_privately(respond, PLAN_USAGE)
        return
    team_id, user_id = actor(command)
    text, blocks = feature(services_of(context), client, team_id, user_id, mention)
    reply_privately(respond, text, blocks=blocks)


def on_document_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """📅 calendar file, 📄 canvas or Markdown for the pair in the button's value."""
    ack()
    team_id, user_id = actor(body)
    feature = CLICKS[action["action_id"]]
    services = services_of(context)
    text = feature(services, client, team_id, user_id, action.get("value"))
    answer_click(services, client, body, respond, text)


def on_feed_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The Home's calendar link: a new private link (shown once, by DM), or revoke it."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    tell_in_dm(client, user_id, FEED[action["action_id"]](services, team_id, user_id))
    refresh_after(services, client, team_id, user_id, [])


def register(app: App) -> None:
    """Wire the document buttons (the commands are routed by handlers.commands)."""
    for action_id in CLICKS:
        app.action(action_id)(on_document_button)
    for action_id in FEED:
        app.action(action_id)(on_feed_button)
