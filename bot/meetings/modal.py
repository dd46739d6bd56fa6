"""The reschedule modal: pick a new date and time for one meeting, in your own time zone."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.core.payload import metadata_of
from bot.core.text import mrkdwn
from bot.domain.timefmt import format_local

CALLBACK_ID = "meeting_reschedule"
ACTION = "value"


def build_reschedule_modal(
    *, meeting_id: int, at: datetime, reader_tz: str, partner_name: str, origin: dict[str, str]
) -> View:
    """A modal prefilled with the meeting's current date and time in the reader's zone."""
    local = at.astimezone(ZoneInfo(reader_tz))
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"Your session with *{mrkdwn(partner_name)}* is {format_local(at, reader_tz)} "
                f"({reader_tz}). Pick a new time; the rest of the series stays as planned."
            )
        ),
        InputBlock(
            block_id="new_date",
            label="New date",
            element=DatePickerElement(action_id=ACTION, initial_date=local.date().isoformat()),
        ),
        InputBlock(
            block_id="new_time",
            label=f"New time ({reader_tz})",
            element=TimePickerElement(action_id=ACTION, initial_time=local.strftime("%H:%M")),
        ),
    ]
    metadata = {"meeting_id": meeting_id, "tz": reader_tz, **origin}
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Reschedule",
        submit="Move it",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps(metadata),
    )


def parse_reschedule(view: dict[str, Any]) -> tuple[dict[str, Any], date | None, time | None]:
    """(metadata, new date, new time) from a submitted reschedule modal."""
    metadata = metadata_of(view)
    values = (view.get("state") or {}).get("values") or {}
    raw_date = ((values.get("new_date") or {}).get(ACTION) or {}).get("selected_date")
    raw_time = ((values.get("new_time") or {}).get(ACTION) or {}).get("selected_time")
    try:
        new_date = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        new_date = None
    try:
        new_time = time.fromisoformat(raw_time) if raw_time else None
    except ValueError:
        new_time = None
    return (metadata if isinstance(metadata, dict) else {}), new_date, new_time
