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

from bot.core.text import ACCESSIBILITY_LABEL, around, clip, mrkdwn
from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local, slack_date, zone_offset_note
from bot.sessions.data import Agenda
from bot.sessions.messages import add_to_agenda_button, agenda_blocks, notes_offer

MET, RESCHEDULE, SKIP = "meeting_met", "meeting_reschedule", "meeting_skip"
# The pair's meeting series as a calendar file in the clicker's DM (bot/documents answers it).
CALENDAR_FILE = "calendar_file"
ADD_TO_CALENDAR, UPDATED_CALENDAR = "📅 Add to calendar", "📅 Get the updated calendar file"
PAUSE_HINT = "You get one of these before each meeting. `/mentorship pause` pauses them."
FOLLOWUP_HINT = (
    "I ask after a meeting when neither of you has said how it went. "
    "`/mentorship pause` pauses these messages."
)
FOCUS_SHOWN = 500  # characters of the focus goal a nudge shows (the Home has all of it)
FOCUS_MORE = "…* _(the whole goal is on my Home tab)_"


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
    agenda: Agenda | None = None  # what the session carries (bot/sessions/)


def _when(f: MeetingFacts) -> str:
    when = slack_date(f.at, f.reader_tz)
    theirs = zone_offset_note(f.at, f.reader_tz, f.partner_tz)
    return f"{when} ({theirs} for {mrkdwn(f.partner_name)})" if theirs else when


def _focus(goal: str) -> str:
    """ "Focus from your plan: *goal*", a long goal clipped with a pointer to the Home."""
    shown = mrkdwn(goal)
    if len(shown) <= FOCUS_SHOWN:
        return f"Focus from your plan: *{shown}*"
    return f"Focus from your plan: *{clip(shown, FOCUS_SHOWN, FOCUS_MORE)}"


def _how(f: MeetingFacts) -> str:
    channels = [CHANNELS.get(c, c).lower() for c in f.channels]
    talk = " and ".join(channels) if len(channels) <= 2 else ", ".join(channels)
    return f"{FORMATS.get(f.format, f.format)}, by {talk}."


def _buttons(f: MeetingFacts, *, followup: bool) -> ActionsBlock:
    value = str(f.meeting_id)
    day = format_local(f.at, f.reader_tz).split(" at ")[0]
    session = f"session with {f.partner_name}"
    elements = [
        ButtonElement(
            text="✅ We met",
            action_id=MET,
            value=value,
            style="primary",
            accessibility_label=around("We met: the ", session, f" on {day}"),
        ),
        ButtonElement(
            text="📅 Pick a new time" if followup else "📅 Reschedule",
            action_id=RESCHEDULE,
            value=value,
            accessibility_label=around("Pick a new time for the ", session, f" on {day}"),
        ),
        ButtonElement(
            text="⏭ We skipped it" if followup else "⏭ Skip this one",
            action_id=SKIP,
            value=value,
            accessibility_label=around("Skip the ", session, f" on {day}"),
        ),
    ]
    if f.agenda is not None and not followup:
        elements.append(add_to_agenda_button(f.agenda.pair_id, f.partner_name))
    return ActionsBlock(block_id=f"meeting_{f.meeting_id}", elements=elements)


def nudge(f: MeetingFacts) -> tuple[str, list[Block]]:
    """The DM before a meeting: when and how, the focus goal, the agenda, one-click answers."""
    partner = mrkdwn(f.partner_name)
    text = f"📅 Your mentorship session with *{partner}* is {_when(f)}. {_how(f)}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if f.focus:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_focus(f.focus))))
    if f.agenda is not None:
        blocks += agenda_blocks(f.agenda)
    blocks += [
        _buttons(f, followup=False),
        ContextBlock(elements=[MarkdownTextObject(text=PAUSE_HINT)]),
    ]
    return text, blocks


def followup(f: MeetingFacts) -> tuple[str, list[Block]]:
    """The one question after a meeting's time passed without an answer."""
    when = slack_date(f.at, f.reader_tz, "{date_short_pretty}")
    text = (
        f"Did your session with *{mrkdwn(f.partner_name)}* {when} happen? "
        "One click is enough — either of you can answer for both."
    )
    return text, [
        SectionBlock(text=MarkdownTextObject(text=text)),
        _buttons(f, followup=True),
        ContextBlock(elements=[MarkdownTextObject(text=FOLLOWUP_HINT)]),
    ]


def answered(status: str, at: datetime, reader_tz: str, by_name: str | None) -> str:
    """The line that replaces the buttons once a meeting has an answer."""
    day = format_local(at, reader_tz).split(" at ")[0]
    who = f"{mrkdwn(by_name)} recorded" if by_name else "Recorded"
    if status == "held":
        return f"✅ {who}: you met on {day}. Thanks!"
    if status == "skipped":
        return f"⏭ {who}: the {day} session was skipped. See you at the next one."
    if status == "rescheduled":
        return f"📅 {who}: the {day} session moved to a new time."
    if status == "cancelled":
        return f"The {day} session is off: the mentorship was paused, ended or re-planned."
    return f"{who}: {status}."


def answered_blocks(
    text: str, original: Sequence[dict[str, object]], offer: Sequence[Block] = ()
) -> list[dict[str, object]]:
    """The original message with its buttons replaced by the answer line (and what the answer
    offers next: 📝 Add notes after "We met")."""
    kept = [b for b in original if b.get("type") not in ("actions",)]
    kept = [b for b in kept if b.get("type") != "context"]
    line: dict[str, object] = {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
    return [*kept, line, *(b.to_dict() for b in offer)]


def after_answer(status: str, meeting_id: int, at: datetime, reader_tz: str) -> list[Block]:
    """What an answered message offers: notes for a session that was held, nothing else."""
    if status != "held":
        return []
    return [notes_offer(meeting_id, format_local(at, reader_tz).split(" at ")[0])]


def rescheduled_note(at: datetime, reader_tz: str, by_name: str) -> tuple[str, list[Block]]:
    """Told to both when a session moves."""
    text = f"📅 {mrkdwn(by_name)} moved your mentorship session to {slack_date(at, reader_tz)}."
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
