"""What the bot says about meetings: nudges, follow-ups, answers, and delivery problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import ACCESSIBILITY_LABEL, clip
from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local, slack_date, zone_offset_note

MET, RESCHEDULE, SKIP = "meeting_met", "meeting_reschedule", "meeting_skip"
# The pair's meeting series as a calendar file in the clicker's DM (bot/documents answers it).
CALENDAR_FILE = "calendar_file"
ADD_TO_CALENDAR, UPDATED_CALENDAR = "📅 Add to calendar", "📅 Get the updated calendar file"
PAUSE_HINT = "You get one of these before each meeting. `/mentorship pause` pauses them."
FOLLOWUP_HINT = (
    "I ask after a meeting when neither of you has said how it went. "
    "`/mentorship pause` pauses these messages."
)


@dataclass(frozen=True)
class MeetingFacts:
    """A meeting as one participant sees it."""

    meeting_id: int
    at: datetime
    reader_tz: str
    partner_name: str
    partner_tz: str
    format: str
    channels: Sequence[str]
    focus: str | None


def _when(f: MeetingFacts) -> str:
    when = slack_date(f.at, f.reader_tz)
    theirs = zone_offset_note(f.at, f.reader_tz, f.partner_tz)
    return f"{when} ({theirs} for {f.partner_name})" if theirs else when


def _how(f: MeetingFacts) -> str:
    channels = [CHANNELS.get(c, c).lower() for c in f.channels]
    talk = " and ".join(channels) if len(channels) <= 2 else ", ".join(channels)
    return f"{FORMATS.get(f.format, f.format)}, by {talk}."


def _buttons(meeting_id: int, *, followup: bool) -> ActionsBlock:
    value = str(meeting_id)
    return ActionsBlock(
        block_id=f"meeting_{meeting_id}",
        elements=[
            ButtonElement(text="✅ We met", action_id=MET, value=value, style="primary"),
            ButtonElement(
                text="📅 Pick a new time" if followup else "📅 Reschedule",
                action_id=RESCHEDULE,
                value=value,
            ),
            ButtonElement(
                text="⏭ We skipped it" if followup else "⏭ Skip this one",
                action_id=SKIP,
                value=value,
            ),
        ],
    )


def nudge(f: MeetingFacts) -> tuple[str, list[Block]]:
    """The DM before a meeting, with one-click answers."""
    text = f"📅 Your mentorship session with *{f.partner_name}* is {_when(f)}. {_how(f)}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if f.focus:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"Focus from your plan: *{f.focus}*"))
        )
    blocks += [
        _buttons(f.meeting_id, followup=False),
        ContextBlock(elements=[MarkdownTextObject(text=PAUSE_HINT)]),
    ]
    return text, blocks


def followup(f: MeetingFacts) -> tuple[str, list[Block]]:
    """The one question after a meeting's time passed without an answer."""
    when = slack_date(f.at, f.reader_tz, "{date_short_pretty}")
    text = (
        f"Did your session with *{f.partner_name}* {when} happen? "
        "One click is enough — either of you can answer for both."
    )
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        _buttons(f.meeting_id, followup=True),
        ContextBlock(elements=[MarkdownTextObject(text=FOLLOWUP_HINT)]),
    ]


def answered(status: str, at: datetime, reader_tz: str, by_name: str | None) -> str:
    """The line that replaces the buttons once a meeting has an answer."""
    day = format_local(at, reader_tz).split(" at ")[0]
    who = f"{by_name} recorded" if by_name else "Recorded"
    if status == "held":
        return f"✅ {who}: you met on {day}. Thanks!"
    if status == "skipped":
        return f"⏭ {who}: the {day} session was skipped. See you at the next one."
    if status == "rescheduled":
        return f"📅 {who}: the {day} session moved to a new time."
    if status == "cancelled":
        return f"The {day} session is off: the mentorship was paused, ended or re-planned."
    return f"{who}: {status}."


def answered_blocks(text: str, original: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """The original message with its buttons replaced by the answer line."""
    kept = [b for b in original if b.get("type") not in ("actions",)]
    kept = [b for b in kept if b.get("type") != "context"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def rescheduled_note(at: datetime, reader_tz: str, by_name: str) -> tuple[str, list[Block]]:
    """Told to both when a session moves."""
    text = f"📅 {by_name} moved your mentorship session to {slack_date(at, reader_tz)}."
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


def calendar_button(pair_id: int, partner_name: str, label: str = ADD_TO_CALENDAR) -> ButtonElement:
    """The button that puts the pair's meeting series, as a calendar file, in the clicker's DM."""
    return ButtonElement(
        text=label,
        action_id=CALENDAR_FILE,
        value=str(pair_id),
        accessibility_label=clip(
            f"Calendar file of your mentorship meetings with {partner_name}", ACCESSIBILITY_LABEL
        ),
    )


def with_calendar_update(text: str, pair_id: int, partner_name: str) -> list[dict[str, Any]]:
    """A note about a schedule change, with a button for the updated calendar file: offered,
    never sent unasked."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": f"calendar_{pair_id}",
            "elements": [calendar_button(pair_id, partner_name, UPDATED_CALENDAR).to_dict()],
        },
    ]
