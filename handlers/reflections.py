"""Milestones & Reflection: replies in the bot's DMs, the reflection form, sharing with the
partner. Each listener calls one function of bot/reflections/."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.reflections import messages as say
from bot.reflections.conversation import handle_delete, handle_dm, handle_edit
from bot.reflections.modal import CALLBACK_ID
from bot.reflections.prompts import open_form, reflect_now, share, submit_form
from handlers.common import actor, reply_privately, show_errors

log = logging.getLogger(__name__)


# ---- matchers: small named predicates instead of if-ladders in the listeners
def is_im(event: dict[str, Any]) -> bool:
    """A message in a 1:1 DM with the bot."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def is_user_reply(event: dict[str, Any]) -> bool:
    """A person's own top-level DM (no subtype, not a bot, not in a thread)."""
    thread = event.get("thread_ts")
    return (
        is_im(event)
        and event.get("subtype") in (None, "file_share")
        and not event.get("bot_id")
        and bool(event.get("user"))
        and (thread is None or thread == event.get("ts"))
    )


def is_edit(event: dict[str, Any]) -> bool:
    """A person edited one of their DMs."""
    message = event.get("message") or {}
    return is_im(event) and event.get("subtype") == "message_changed" and not message.get("bot_id")


def is_delete(event: dict[str, Any]) -> bool:
    """A DM was deleted."""
    return is_im(event) and event.get("subtype") == "message_deleted"


def on_dm(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A reply in the DM answers the open prompt's current question."""
    text = str(event.get("text") or "")
    if event.get("subtype") == "file_share" and not text.strip():
        text = ""
    handle_dm(
        services_of(context),
        client,
        str(body.get("team_id") or context.team_id or ""),
        event["user"],
        event["channel"],
        event["ts"],
        text,
        files_only=not text.strip() and bool(event.get("files")),
    )


def on_dm_edited(event: dict[str, Any], context: BoltContext) -> None:
    """An edited reply updates its stored answer."""
    message = event.get("message") or {}
    if message.get("ts"):
        handle_edit(
            services_of(context), event["channel"], message["ts"], str(message.get("text") or "")
        )


def on_dm_deleted(event: dict[str, Any], context: BoltContext) -> None:
    """A deleted reply removes its stored answer."""
    ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
    if ts:
        handle_delete(services_of(context), event["channel"], str(ts))


def ignore_message(event: dict[str, Any]) -> None:
    """Bot messages, thread chatter and channel messages need no answer."""


def on_open_form(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """ "Answer in a form": the open prompt's questions in a modal."""
    ack()
    team_id, user_id = actor(body)
    refusal = open_form(
        services_of(context), client, team_id, user_id, action.get("value"), body["trigger_id"]
    )
    if refusal:
        reply_privately(respond, refusal)


def on_form_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the form's answers (replacing earlier ones), close the prompt, say thanks."""
    team_id, user_id = actor(body)
    done = submit_form(services_of(context), client, team_id, user_id, view)
    if isinstance(done, dict):
        show_errors(ack, done)
        return
    ack()
    if done is not None:
        text, blocks = done
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def on_share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """The author chose to share a finished reflection with their partner."""
    ack()
    team_id, user_id = actor(body)
    said = share(services_of(context), client, team_id, user_id, action.get("value"))
    if said:
        reply_privately(respond, said)


def register(app: App) -> None:
    """Wire DM replies, edits, deletions, the form and sharing."""
    app.event("message", matchers=[is_user_reply])(on_dm)
    app.event("message", matchers=[is_edit])(on_dm_edited)
    app.event("message", matchers=[is_delete])(on_dm_deleted)
    app.event("message")(ignore_message)
    app.action(say.OPEN_FORM)(on_open_form)
    app.action(say.SHARE)(on_share)
    app.view(CALLBACK_ID)(on_form_submitted)


def on_reflect(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship reflect`: the open reflection question in the DM now (or brought forward)."""
    team_id, user_id = actor(command)
    reply_privately(respond, reflect_now(services_of(context), client, team_id, user_id))
