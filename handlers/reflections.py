"""Milestones & Reflection: replies in the bot's DMs, the reflection form, sharing with the
partner. Each listener calls one function of bot/reflections/."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.reflections import messages as say
from bot.reflections.conversation import handle_aside, handle_delete, handle_dm, handle_edit
from bot.reflections.modal import CALLBACK_ID
from bot.reflections.prompts import open_form, reflect_now, share, submit_form
from handlers.common import actor, reply_privately, show_errors

log = logging.getLogger(__name__)


# ---- matchers: small named predicates instead of if-ladders in the listeners
def is_im(event: dict[str, Any]) -> bool:
    """A message in a 1:1 DM with the bot."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def _by_a_person(event: dict[str, Any]) -> bool:
    """Written by a person: not a bot (the bot's own posts included), not Slackbot."""
    user = event.get("user")
    return not event.get("bot_id") and bool(user) and user != "USLACKBOT"


def _in_thread(event: dict[str, Any]) -> bool:
    thread = event.get("thread_ts")
    return thread is not None and thread != event.get("ts")


def is_user_reply(event: dict[str, Any]) -> bool:
    """A person's own top-level DM (no subtype, not a bot, not in a thread)."""
    return (
        is_im(event)
        and event.get("subtype") in (None, "file_share")
        and _by_a_person(event)
        and not _in_thread(event)
    )


def is_thread_reply(event: dict[str, Any]) -> bool:
    """A person's reply in a thread of the DM (also sent to the chat, or a file, or /me)."""
    return (
        is_im(event)
        and event.get("subtype") in (None, "file_share", "thread_broadcast", "me_message")
        and _by_a_person(event)
        and _in_thread(event)
    )


def is_me_message(event: dict[str, Any]) -> bool:
    """A person's top-level `/me` message in the DM."""
    return (
        is_im(event)
        and event.get("subtype") == "me_message"
        and _by_a_person(event)
        and not _in_thread(event)
    )


def _changed_into(event: dict[str, Any]) -> dict[str, Any]:
    message = event.get("message")
    if is_im(event) and event.get("subtype") == "message_changed" and isinstance(message, dict):
        return message
    return {}


def is_tombstone(event: dict[str, Any]) -> bool:
    """Slack replaced a deleted DM that has thread replies by its "This message was deleted."
    tombstone (message_changed whose new message has subtype `tombstone`)."""
    return _changed_into(event).get("subtype") == "tombstone"


def is_edit(event: dict[str, Any]) -> bool:
    """A person edited one of their DMs."""
    message = _changed_into(event)
    return bool(message) and not message.get("bot_id") and message.get("subtype") != "tombstone"


def is_delete(event: dict[str, Any]) -> bool:
    """A DM was deleted."""
    return is_im(event) and event.get("subtype") == "message_deleted"


def _team(body: dict[str, Any], context: BoltContext) -> str:
    return str(body.get("team_id") or context.team_id or "")


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
        _team(body, context),
        event["user"],
        event["channel"],
        event["ts"],
        text,
        files_only=not text.strip() and bool(event.get("files")),
    )


def on_dm_aside(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A thread reply or a `/me` message: one line on how to answer, while a prompt is open."""
    thread_ts = event.get("thread_ts") if _in_thread(event) else None
    handle_aside(
        services_of(context),
        client,
        _team(body, context),
        event["user"],
        event["channel"],
        event["ts"],
        thread_ts=thread_ts,
    )


def on_dm_edited(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """An edited reply updates its stored answer (only its author's edit counts)."""
    message = event.get("message") or {}
    if message.get("ts"):
        author, text = str(message.get("user") or ""), str(message.get("text") or "")
        handle_edit(
            services_of(context),
            _team(body, context),
            author,
            event["channel"],
            message["ts"],
            text,
        )


def on_dm_deleted(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """A deleted reply, or one turned into Slack's tombstone, removes its stored answer."""
    previous = event.get("previous_message") or {}
    ts = event.get("deleted_ts") or (event.get("message") or {}).get("ts") or previous.get("ts")
    if ts and isinstance(previous, dict):
        author = str(previous.get("user") or "")  # a tombstone's own user is Slackbot
        handle_delete(services_of(context), _team(body, context), author, event["channel"], str(ts))


def on_message(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Every message event, to the first route whose test it passes; the rest (bot messages,
    Slackbot, channel messages) need no answer. One listener, not one per route: Bolt builds
    each listener's matcher arguments in turn, for every request that reaches it."""
    if is_user_reply(event):
        on_dm(event, body, client, context)
    elif is_thread_reply(event) or is_me_message(event):
        on_dm_aside(event, body, client, context)
    elif is_tombstone(event):
        on_dm_deleted(event, body, context)
    elif is_edit(event):
        on_dm_edited(event, body, context)
    elif is_delete(event):
        on_dm_deleted(event, body, context)


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
    app.event("message")(on_message)
    app.action(say.OPEN_FORM)(on_open_form)
    app.action(say.SHARE)(on_share)
    app.view(CALLBACK_ID)(on_form_submitted)


def on_reflect(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship reflect`: the open reflection question in the DM now (or brought forward)."""
    team_id, user_id = actor(command)
    reply_privately(respond, reflect_now(services_of(context), client, team_id, user_id))
