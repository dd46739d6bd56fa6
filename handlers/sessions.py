"""Sessions: ➕ Add to agenda, ✅ Done / ↪ Carry over / 🗑 Drop on action items, 📝 notes and
the session history, from nudges and the Home tab. Each listener calls bot/sessions/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.services import services_of
from bot.sessions.agenda import add_to_agenda, open_agenda_modal, show_added
from bot.sessions.history import open_history
from bot.sessions.home_blocks import HISTORY_OPEN
from bot.sessions.items import act_on_item
from bot.sessions.messages import AGENDA_ADD, ITEM_ACTIONS, NOTES_OPEN
from bot.sessions.modals import AGENDA_CALLBACK, NOTES_CALLBACK
from bot.sessions.notes import open_notes_modal, show_saved, submit_notes
from handlers.common import actor, answer_click, refresh_after, show_errors


def refuse(
    body: Mapping[str, Any], respond: Respond, client: WebClient, context: BoltContext, text: str
) -> None:
    """Say no where the click happened: privately under a message, or on the Home tab."""
    answer_click(services_of(context), client, body, respond, text)


def on_open_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """➕ Add to agenda, 📝 notes, 🗂 Session history: the modal, for one of the two people."""
    ack()
    team_id, user_id = actor(body)
    opener = {AGENDA_ADD: open_agenda_modal, NOTES_OPEN: open_notes_modal}.get(
        action["action_id"], open_history
    )
    refusal = opener(
        services_of(context), client, team_id, user_id, action.get("value"), body["trigger_id"]
    )
    if refusal:
        refuse(body, respond, client, context, refusal)


def on_item_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """✅ Done / ↪ Carry over / 🗑 Drop: once for the pair, shown on both nudges and Homes."""
    ack()
    services = services_of(context)
    team_id, user_id = actor(body)
    outcome = act_on_item(
        services, client, team_id, user_id, action["action_id"], action.get("value")
    )
    if outcome.refusal:
        refuse(body, respond, client, context, outcome.refusal)
    elif outcome.people:
        refresh_after(services, client, team_id, user_id, outcome.people)


def on_agenda_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the topic (or show the field error); sent nudges show it at once."""
    services = services_of(context)
    team_id, user_id = actor(body)
    added = add_to_agenda(services, team_id, user_id, view)
    if isinstance(added, dict):
        show_errors(ack, added)
        return
    ack()
    show_added(services, client, added)


def on_notes_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store the notes (or show field errors, nothing stored); tell the partner, show again."""
    services = services_of(context)
    team_id, user_id = actor(body)
    saved = submit_notes(services, team_id, user_id, view)
    if isinstance(saved, dict):
        show_errors(ack, saved)
        return
    ack()
    show_saved(services, client, saved)
    refresh_after(services, client, team_id, user_id, saved.people)


def register(app: App) -> None:
    """Wire the sessions buttons and modals."""
    for opener in (AGENDA_ADD, NOTES_OPEN, HISTORY_OPEN):
        app.action(opener)(on_open_clicked)
    for item_action in ITEM_ACTIONS:
        app.action(item_action)(on_item_clicked)
    app.view(AGENDA_CALLBACK)(on_agenda_submitted)
    app.view(NOTES_CALLBACK)(on_notes_submitted)
