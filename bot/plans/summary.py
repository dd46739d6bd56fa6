"""What the bot says: pure builders returning (fallback text, Block Kit blocks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.domain.plan import CHANNELS, FORMATS
from bot.domain.timefmt import format_local_date, slack_date

CADENCE_WORDS = {"weekly": "every week", "biweekly": "every two weeks", "monthly": "every month"}

USAGE = (
    "*Mentorship commands* (only you see the answers)\n"
    "• `/mentorship start [@mentee] [@mentor]` — set up a mentorship plan\n"
    "• `/mentorship list` — your mentorships\n"
    "• `/mentorship status [@partner]` — one mentorship in full\n"
    "• `/mentorship pause [weeks] [@partner]` — pause the nudges (2 weeks unless you say); "
    "it resumes by itself\n"
    "• `/mentorship resume [@partner]` — pick a paused mentorship up again\n"
    "• `/mentorship end [@partner]` — end a mentorship (asks first)\n"
    "• `/mentorship reflect` — answer your open reflection questions now\n"
    "• `/mentorship report` — the program report (program admins)\n"
    "• `/mentorship help` — this message\n"
    "Your mentorships, goals and milestones are in my *Home* tab, with a button for each action."
)


@dataclass(frozen=True)
class PlanSummary:
    """The facts a plan summary shows, already resolved to names."""

    pair_id: int
    mentor_name: str
    mentee_name: str
    cadence: str
    cadence_phrase: str
    first_meeting: datetime
    plan_tz: str
    format: str
    channels: Sequence[str]
    mentee_goals: Sequence[str]
    mentor_goals: Sequence[str]
    vision: str
    end_date: date
    checkpoints: int
    checkpoint_weeks: int
    announce_channel: str | None


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items) if items else "• _none yet_"


def plan_summary(s: PlanSummary, *, reader_role: str, reader_tz: str) -> tuple[str, list[Block]]:
    """The DM each participant gets when a plan is stored, in the reader's own time zone."""
    partner = s.mentee_name if reader_role == "mentor" else s.mentor_name
    role_phrase = "mentor" if reader_role == "mentor" else "mentee"
    when = slack_date(s.first_meeting, reader_tz, "{date_short_pretty} at {time}")
    names = [CHANNELS.get(c, c).lower() for c in s.channels]
    channels = (
        " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
    )
    intro = (
        f"📅 Your mentorship with *{partner}* is set up — you're the {role_phrase}. "
        f"First meeting {when}, then {s.cadence_phrase}."
    )
    structure = (
        f"*Structure & Communication*\n{FORMATS.get(s.format, s.format)}, talking by {channels}. "
        f"Plan time zone: {s.plan_tz}."
    )
    goals = (
        f"*Goals & Vision*\n*{s.mentee_name}'s goals*\n{_bullets(s.mentee_goals)}\n"
        f"*{s.mentor_name}'s goals*\n{_bullets(s.mentor_goals)}\n*Shared vision*: {s.vision}"
    )
    checkpoint_text = (
        f"{s.checkpoints} feedback checkpoint{'s' if s.checkpoints != 1 else ''} "
        f"(every {s.checkpoint_weeks} weeks)"
        if s.checkpoints
        else "no checkpoints in between"
    )
    milestones = (
        f"*Milestones & Reflection*\nKickoff at the first meeting, {checkpoint_text}, "
        f"final review on {format_local_date(s.end_date)}."
    )
    if s.announce_channel:
        milestones += f" Milestones will be announced in <#{s.announce_channel}>."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(text=MarkdownTextObject(text=goals)),
        SectionBlock(text=MarkdownTextObject(text=structure)),
        SectionBlock(text=MarkdownTextObject(text=milestones)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="I'll nudge you both before each meeting. "
                    "Pause or change the plan any time from my Home tab."
                )
            ]
        ),
    ]
    return intro, blocks
