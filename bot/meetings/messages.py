"""What the bot says about meetings: nudges, follow-ups, answers, and delivery problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import around, clip, mrkdwn
from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local, slack_date, zone_offset_note

MET, RESCHEDULE, SKIP = "meeting_met", "meeting_reschedule", "meeting_skip"
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
    return ActionsBlock(
        block_id=f"meeting_{f.meeting_id}",
        elements=[
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
        ],
    )


def nudge(f: MeetingFacts) -> tuple[str, list[Block]]:
    """The DM before a meeting, with one-click answers."""
    partner = mrkdwn(f.partner_name)
    text = f"📅 Your mentorship session with *{partner}* is {_when(f)}. {_how(f)}"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if f.focus:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_focus(f.focus))))
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


def answered_blocks(text: str, original: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """The original message with its buttons replaced by the answer line."""
    kept = [b for b in original if b.get("type") not in ("actions",)]
    kept = [b for b in kept if b.get("type") != "context"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def rescheduled_note(at: datetime, reader_tz: str, by_name: str) -> tuple[str, list[Block]]:
    """Told to both when a session moves."""
    text = f"📅 {mrkdwn(by_name)} moved your mentorship session to {slack_date(at, reader_tz)}."
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]
