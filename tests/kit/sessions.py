"""Helpers for the sessions scenarios: open a sessions modal and fill it, find items and notes in
the database, and everything one person was shown (to prove what they never saw)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.sessions.messages import AGENDA_ADD, NOTES_OPEN
from bot.sessions.modals import AGENDA_CALLBACK, NOTES_CALLBACK
from bot.standin import DriverResponse, RecordedMessage, StoredView
from storage.models import ActionItem, ActionItemEvent, AgendaItem, SessionNote
from tests.kit.workspace import Bot, wait_for


def open_modal(
    bot: Bot,
    user: str,
    action_id: str,
    *,
    message: RecordedMessage | None = None,
    view_id: str | None = None,
    block_id: str | None = None,
) -> StoredView:
    """Click a button that opens a modal and return the modal Slack opened."""
    before = len(bot.standin.views_for(user, include_closed=True))
    response = bot.driver.click(
        user, action_id, message=message, view_id=view_id, block_id=block_id
    )
    assert response.status == 200, response.body
    views = wait_for(
        lambda: bot.standin.views_for(user, include_closed=True)[before:], what="the modal"
    )
    return views[-1]


def add_topic(
    bot: Bot, user: str, text: str, *, message: RecordedMessage | None = None
) -> DriverResponse:
    """➕ Add to agenda (on a nudge, or on the Home tab) and submit one topic."""
    home = bot.standin.home_view(user) if message is None else None
    modal = open_modal(
        bot, user, AGENDA_ADD, message=message, view_id=home.id if home is not None else None
    )
    assert modal.callback_id == AGENDA_CALLBACK
    return bot.driver.submit_view(user, modal.id, {"topic": text})


def notes_modal(bot: Bot, user: str, message: RecordedMessage | None = None) -> StoredView:
    """📝 on an answered nudge (or the Home tab's notes button): the notes modal."""
    home = bot.standin.home_view(user) if message is None else None
    modal = open_modal(
        bot, user, NOTES_OPEN, message=message, view_id=home.id if home is not None else None
    )
    assert modal.callback_id == NOTES_CALLBACK
    return modal


def submit(bot: Bot, user: str, modal: StoredView, values: dict[str, Any]) -> DriverResponse:
    return bot.driver.submit_view(user, modal.id, values)


def errors_of(response: DriverResponse) -> dict[str, str]:
    """The field errors the app answered a submission with ({} when it accepted it)."""
    data = response.json or {}
    return dict(data.get("errors") or {}) if data.get("response_action") == "errors" else {}


def item(bot: Bot, text: str) -> ActionItem:
    with bot.sessions() as s:
        found = s.scalars(select(ActionItem).where(ActionItem.text == text)).one()
        return found


def events(bot: Bot, item_id: int) -> list[tuple[str, str]]:
    with bot.sessions() as s:
        rows = s.scalars(
            select(ActionItemEvent)
            .where(ActionItemEvent.item_id == item_id)
            .order_by(ActionItemEvent.id)
        )
        return [(e.action, e.by_user) for e in rows]


def notes(bot: Bot) -> list[tuple[str, str, str]]:
    """(author, visibility, text) of every stored note."""
    with bot.sessions() as s:
        rows = s.scalars(select(SessionNote).order_by(SessionNote.id))
        return [(n.author_id, n.visibility, n.text) for n in rows]


def topics(bot: Bot) -> list[tuple[str, int | None]]:
    """(text, covering session) of every agenda topic."""
    with bot.sessions() as s:
        rows = s.scalars(select(AgendaItem).order_by(AgendaItem.id))
        return [(t.text, t.covered_meeting_id) for t in rows]


def shown_to(bot: Bot, user: str) -> str:
    """Everything the bot ever showed one person, as JSON text: each message posted or updated
    in their DM or ephemerally to them, each Home tab published for them, each modal opened
    for them. Channel posts are in `shown_in`."""
    dm = "D" + user[1:]
    seen: list[Any] = []
    for method, params in bot.standin.calls:
        if (
            (method in ("chat.postMessage", "chat.update") and params.get("channel") in (dm, user))
            or (method == "chat.postEphemeral" and params.get("user") == user)
            or (method == "views.publish" and params.get("user_id") == user)
        ):
            seen.append(params)
    seen += [v.view for v in bot.standin.views_for(user, include_closed=True)]
    seen += [m.blocks for m in bot.standin.ephemeral_messages(user)]
    return json.dumps(seen, ensure_ascii=False)


def shown_in(bot: Bot, channel: str) -> str:
    """Everything the bot posted or updated in a channel."""
    posted = [
        params
        for method, params in bot.standin.calls
        if method in ("chat.postMessage", "chat.update") and params.get("channel") == channel
    ]
    return json.dumps(posted, ensure_ascii=False)


def button_ids(message: RecordedMessage | StoredView) -> list[str]:
    """The action ids of the buttons a message or view shows now, in order."""
    found = []
    for block in message.blocks:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append(str(element.get("action_id")))
    return found
