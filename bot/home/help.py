"""The parts of the Home tab that explain: the how-it-works a person sees the first time their
Home has nothing in it, the Help section at the bottom of every Home tab, and the notice a
Home button leaves at the top when it could not do what was asked. Pure builders."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import CONTEXT_TEXT, SECTION_TEXT, clip, mrkdwn
from bot.workspaces.manifest import APP_NAME
from bot.workspaces.pages import PILLARS

INTRO_ID, INTRO_PILLARS_ID, INTRO_START_ID, INTRO_PRIVACY_ID = (
    "intro",
    "intro_pillars",
    "start_hint",
    "intro_privacy",
)
HELP_HEADER_ID, HELP_ID, HELP_PRIVACY_ID = "help_header", "help", "help_privacy"
NOTICE_ID = "notice"
START_LABEL = "Start a new mentorship: open the plan form"

PRIVACY = (
    "🔒 Reflections stay private: only you read what you write, and your partner if you choose "
    "to share it. They never appear in channels or in program reports, which count only."
)
TWO_WAYS = (
    "*Two ways to start*\n"
    "1. *Start one yourself*: press the button, or type `/mentorship start @mentee` in any "
    "message box. A short form sets the goals, the meeting rhythm and the milestones.\n"
    "2. *Join a program*: a program admin pairs you up. `/mentorship admins` shows who runs it."
)
HELP_LINES = (
    "*Start a mentorship*: ➕ at the top of this page, `/mentorship start @mentee`, or "
    "*Start a mentorship* in the shortcuts menu beside the message box.",
    "*Goals*: ✅ *Mark done* and ➕ *Add a goal* on each mentorship. On any message, "
    "*More actions* → *Add as a goal* makes its text a goal.",
    "*Meetings*: answer a nudge in one click: *We met*, *Reschedule* or *Skip this one*.",
    "*Pause, resume, end*: the buttons on each mentorship, or `/mentorship pause [weeks]`, "
    "`/mentorship resume` and `/mentorship end`.",
    "*Reflections*: answer my questions right in our DM, or bring them forward with "
    "`/mentorship reflect`.",
    "*Commands*: `/mentorship list`, `/mentorship status` and `/mentorship help` "
    "(only you see the answers).",
)
ADMIN_HELP = (
    "*Running the program*: `/mentorship report` for the report, `/mentorship report csv` "
    "(or *Report as CSV* above) for every pair in a spreadsheet, `/mentorship admins` for who "
    "runs it."
)


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, SECTION_TEXT))


def intro_blocks(start_action_id: str, start_text: str) -> list[Block]:
    """The first visit to an empty Home: the three pillars, two ways to start, privacy."""
    pillars = "\n".join(f"• *{mrkdwn(title)}*: {mrkdwn(text)}" for title, text in PILLARS)
    start = ButtonElement(
        text=start_text,
        action_id=start_action_id,
        style="primary",
        accessibility_label=START_LABEL,
    )
    return [
        SectionBlock(
            block_id=INTRO_ID,
            text=_md(
                f"👋 Welcome! With *{APP_NAME}* a mentor and a mentee agree on a plan, and I "
                "keep it going in Slack. A plan rests on three pillars:"
            ),
        ),
        SectionBlock(block_id=INTRO_PILLARS_ID, text=_md(pillars)),
        SectionBlock(block_id=INTRO_START_ID, text=_md(TWO_WAYS), accessory=start),
        ContextBlock(block_id=INTRO_PRIVACY_ID, elements=[_md(clip(PRIVACY, CONTEXT_TEXT))]),
    ]


def help_blocks(admin: bool) -> list[Block]:
    """The Help section at the bottom of the Home tab (program admins get one line more)."""
    lines = [*HELP_LINES, *([ADMIN_HELP] if admin else [])]
    return [
        HeaderBlock(block_id=HELP_HEADER_ID, text="Help"),
        SectionBlock(block_id=HELP_ID, text=_md("\n".join(f"• {line}" for line in lines))),
        ContextBlock(block_id=HELP_PRIVACY_ID, elements=[_md(PRIVACY)]),
    ]


def notice_block(text: str) -> SectionBlock:
    """What a Home button could not do, and why, at the top of the republished Home tab."""
    return SectionBlock(block_id=NOTICE_ID, text=_md(text))
