"""Steps the demo's people take that need more than a click: waiting for the bot's answer, and
the sessions steps (a topic for the agenda, notes after a session, ticking an action item)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from bot.app import Runtime
from bot.sessions.messages import AGENDA_ADD, NOTES_OPEN
from bot.sessions.modals import AGENDA_CALLBACK, NOTES_CALLBACK
from bot.standin import RecordedMessage, SlackDriver, SlackStandIn
from storage.models import ActionItem

T = TypeVar("T")
MAYA = "U0MAYA0001"


def wait_for(predicate: Callable[[], T], what: str, timeout: float = 10.0) -> T:
    """Wait for work the bot does after acknowledging a request."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the demo gave up waiting for {what}")
        time.sleep(0.01)
    return result


class Stage(Protocol):
    """What the steps need of the demo's story (bot.ops.demo.Story)."""

    driver: SlackDriver
    standin: SlackStandIn
    runtime: Runtime

    def flush(self) -> None: ...

    def tick(self) -> None: ...


def _modal(story: Stage, user_id: str, callback_id: str) -> Any:
    return wait_for(
        lambda: [
            v
            for v in story.standin.views_for(user_id)
            if v.callback_id == callback_id and v.is_open
        ],
        f"the {callback_id} modal",
    )[-1]


def add_topic(story: Stage, user_id: str, nudge: RecordedMessage, topic: str) -> None:
    """➕ Add to agenda on a nudge: one topic; the partner's nudge shows it at once."""
    story.driver.click(user_id, AGENDA_ADD, message=nudge)
    modal = _modal(story, user_id, AGENDA_CALLBACK)
    story.flush()
    before = nudge.edited_ts
    story.driver.submit_view(user_id, modal.id, {"topic": topic})
    wait_for(lambda: nudge.edited_ts != before, "the nudges to show the topic")
    story.flush()


def write_notes(story: Stage, answered: RecordedMessage) -> None:
    """Maya's 📝 Add notes after "We met": shared notes, two action items, a private note."""
    story.driver.click(MAYA, NOTES_OPEN, message=answered)
    modal = _modal(story, MAYA, NOTES_CALLBACK)
    story.flush()
    story.driver.submit_view(
        MAYA,
        modal.id,
        {
            "shared": "We planned my first design review: who to invite, what to send ahead",
            "item_1": "Draft the review agenda",
            "owner_1": "mentee",
            "due_1": "2027-03-19",
            "item_2": "Share two example reviews",
            "owner_2": "mentor",
            "private": "Nervous about leading it in front of senior engineers",
        },
    )
    story.tick()  # Omar is told, with the item that is his


def click_item(
    story: Stage, user_id: str, action_id: str, message: RecordedMessage, text: str
) -> None:
    """Done / Carry over on one action item of a nudge; both nudges show it at once."""
    with story.runtime.services.sessions() as session:
        item_id = session.scalars(select(ActionItem.id).where(ActionItem.text == text)).one()
    before = message.edited_ts
    story.driver.click(user_id, action_id, message=message, block_id=f"item_{item_id}")
    wait_for(lambda: message.edited_ts != before, "the nudge to update")
    story.flush()
