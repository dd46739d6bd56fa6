"""What the bot says when a pair is paused, resumed, ended or edited, and the command pickers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import BUTTON_TEXT, CONFIRM_TEXT, around, clip, mrkdwn
from bot.domain.timefmt import format_local_date, slack_date

# Buttons in ephemeral command replies; values carry only ids (and the pause length).
CMD_STATUS, CMD_PAUSE, CMD_RESUME, CMD_END = "cmd_status", "cmd_pause", "cmd_resume", "cmd_end"

# How a picker's button reads to a screen reader, before the pair's name.
PICKED = {
    "status": "Show the mentorship with ",
    "pause": "Pause the mentorship with ",
    "resume": "Resume the mentorship with ",
}

START_HINT = (
    "You don't have a mentorship yet. Start one here or with `/mentorship start @mentee` — "
    "a short form sets the goals, the meeting rhythm and the milestones, and I take care of "
    "the reminders. A program admin can also pair you up."
)


@dataclass(frozen=True)
class PairNames:
    """A pair's people by name, seen from the person acting on it."""

    actor_id: str
    mentor_id: str
    mentee_id: str
    names: Mapping[str, str]

    def name(self, user_id: str) -> str:
        """Someone's name as plain text (a button, an option)."""
        return self.names.get(user_id) or "someone"

    def md(self, user_id: str) -> str:
        """Someone's name for mrkdwn: escaped, so a name is never read as markup."""
        return mrkdwn(self.name(user_id))

    def partner_of(self, user_id: str) -> str:
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id

    def described_for(self, reader: str) -> str:
        """ "your mentorship with *Maya*", or for an admin "the mentorship of *Maya* and *Omar*"."""
        if reader in (self.mentor_id, self.mentee_id):
            return f"your mentorship with *{self.md(self.partner_of(reader))}*"
        return f"the mentorship of *{self.md(self.mentee_id)}* and *{self.md(self.mentor_id)}*"

    def by_whom(self, reader: str) -> str:
        """ "*Omar* paused your mentorship" or "*Kai* paused your mentorship with *Omar*"."""
        if self.actor_id == self.partner_of(reader):
            return "your mentorship"
        return self.described_for(reader)

    def others(self) -> list[str]:
        """Who hears about the action: the participants other than the actor."""
        return [u for u in (self.mentee_id, self.mentor_id) if u != self.actor_id]


def _told(p: PairNames) -> str:
    told = " and ".join(p.md(u) for u in p.others())
    return f" I've let {told} know." if told else ""


def paused_notice(p: PairNames, reader: str, until: date | None) -> str:
    """To the other participant(s) when a pair is paused."""
    who = f"*{p.md(p.actor_id)}* paused {p.by_whom(reader)}"
    if until is None:
        return f"⏸ {who}. No nudges until one of you resumes it from my Home tab."
    return (
        f"⏸ {who} until {format_local_date(until)} — no nudges until then; "
        "it picks up again by itself."
    )


def paused_reply(p: PairNames, until: date) -> str:
    """To the person who paused."""
    what = p.described_for(p.actor_id)
    return (
        f"⏸ Paused {what} until {format_local_date(until)}; it picks up again by itself."
        f"{_told(p)} `/mentorship resume` picks it up sooner."
    )


def deactivated_notice(gone: str) -> str:
    """To the remaining participant when the other's Slack account was deactivated."""
    return (
        f"⏸ *{mrkdwn(gone)}*'s Slack account was deactivated, so I've paused your mentorship. "
        "Resume it from my Home tab if that changes, or close it with `/mentorship end`."
    )


def resumed_notice(p: PairNames, reader: str, next_meeting: datetime | None, tz: str) -> str:
    """To the other participant(s) when a pair is resumed."""
    text = f"▶️ *{p.md(p.actor_id)}* resumed {p.by_whom(reader)}."
    if next_meeting is not None:
        text += f" Next meeting {slack_date(next_meeting, tz)}."
    return text


def resumed_reply(p: PairNames, next_meeting: datetime | None, tz: str) -> str:
    """To the person who resumed."""
    text = f"▶️ Resumed {p.described_for(p.actor_id)}."
    if next_meeting is not None:
        text += f" Next meeting {slack_date(next_meeting, tz)}."
    return text + _told(p)


def ended_notice(p: PairNames, reader: str) -> str:
    """To the other participant(s) when a pair is ended."""
    return (
        f"*{p.md(p.actor_id)}* ended {p.by_whom(reader)}. No more nudges about it — "
        "thank you for the time you put in."
    )


def ended_reply(p: PairNames) -> str:
    """To the person who ended it."""
    return f"Ended {p.described_for(p.actor_id)}.{_told(p)}"


def edited_notice(
    p: PairNames, reader: str, next_meeting: datetime | None, cadence: str, tz: str
) -> str:
    """To both participants when the plan changed."""
    if reader == p.actor_id:
        text = f"✏️ You updated the plan for {p.described_for(reader)}."
    else:
        text = f"✏️ *{p.md(p.actor_id)}* updated the plan for {p.by_whom(reader)}."
    if next_meeting is not None:
        text += f" Next meeting {slack_date(next_meeting, tz)}, then {cadence}."
    return text + " The details are in my Home tab."


def not_now(p: PairNames, status: str, verb: str, paused_until: date | None) -> str:
    """Why an action does not apply to a pair in its current state."""
    what = p.described_for(p.actor_id)
    what = what[0].upper() + what[1:]
    if status in ("ended", "completed"):
        return f"{what} has {'ended' if status == 'ended' else 'been completed'} already."
    if verb == "pause" and status == "paused":
        until = f" until {format_local_date(paused_until)}" if paused_until else ""
        return f"{what} is already paused{until}. `/mentorship resume` picks it up now."
    if verb == "resume" and status == "active":
        return f"{what} isn't paused — it's running as planned."
    return f"{what} is {status}."


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def end_button(action_id: str, pair_id: int, label: str, partner: str) -> ButtonElement:
    """A danger button that asks Slack to confirm before ending a mentorship (`partner` names
    it: "Maya", or for an admin "Maya & Omar")."""
    after = " ends now: no more nudges or prompts. Both of you will be told."
    return ButtonElement(
        text=clip(label, BUTTON_TEXT),
        action_id=action_id,
        value=str(pair_id),
        style="danger",
        accessibility_label=around("End mentorship with ", partner),
        confirm=ConfirmObject(
            title="End this mentorship?",
            text=around("Your mentorship with ", mrkdwn(partner), after, CONFIRM_TEXT),
            confirm="End it",
            deny="Keep it",
            style="danger",
        ),
    )


def end_confirmation(pair_id: int, description: str, partner: str) -> tuple[str, list[Block]]:
    """The ephemeral reply to `/mentorship end`: one click (with Slack's confirm) ends it."""
    text = f"End {description}? No more nudges or prompts; both of you will be told."
    return text, [
        _section(text),
        ActionsBlock(
            block_id=f"end_{pair_id}",
            elements=[end_button(CMD_END, pair_id, "End mentorship", partner)],
        ),
    ]


def picker(
    verb: str, choices: Sequence[tuple[int, str]], weeks: int | None = None
) -> tuple[str, list[Block]]:
    """ "Which mentorship?" with one button per pair."""
    action = {"status": CMD_STATUS, "pause": CMD_PAUSE, "resume": CMD_RESUME, "end": CMD_END}[verb]
    text = f"You have more than one mentorship — which one should I {verb}?"
    if verb == "status":
        text = "You have more than one mentorship — which one?"
    buttons = []
    for pair_id, label in choices[:25]:
        value = f"{pair_id}:{weeks}" if verb == "pause" and weeks else str(pair_id)
        if verb == "end":
            buttons.append(end_button(action, pair_id, label, label))
        else:
            buttons.append(
                ButtonElement(
                    text=clip(label, BUTTON_TEXT),
                    action_id=action,
                    value=value,
                    accessibility_label=around(PICKED[verb], label),
                )
            )
    return text, [_section(text), ActionsBlock(block_id=f"pick_{verb}", elements=buttons)]
