"""What the bot says about a pair's documents, and the Block Kit of their buttons (pure).

People's names go through `mrkdwn` wherever they are placed in mrkdwn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.core.text import ACCESSIBILITY_LABEL, BUTTON_TEXT, clip, mrkdwn
from bot.domain.timefmt import format_local_date
from bot.meetings.messages import CALENDAR_FILE, calendar_button

SHARE_CANVAS, EXPORT_PLAN = "plan_share_canvas", "plan_export_markdown"
FEED_NEW, FEED_REVOKE = "calendar_feed_new", "calendar_feed_revoke"
FEED_BLOCK, FEED_ACTIONS = "calendar_feed", "calendar_feed_actions"
SHARE_LABEL, EXPORT_LABEL = "📄 Share plan as canvas", "Plan as Markdown"

GOOGLE_CAVEAT = (
    "Apple Calendar and Outlook update the event when you open a newer file. Google Calendar's "
    "import doesn't update an event it already has: delete the old event first, then import "
    "this file."
)
ON_ITS_WAY = "📅 The calendar file is on its way to our DM."
EXPORT_ON_ITS_WAY = "📄 The plan is on its way to our DM as a Markdown file."
PARTICIPANTS_ONLY = (
    "Only the two people in a mentorship can get its calendar file or documents, "
    "so I left it alone."
)
PLAN_USAGE = (
    "`/mentorship plan share [@partner]` makes your plan a canvas you both can edit; "
    "`/mentorship plan export [@partner]` puts it in our DM as a Markdown file."
)


def still_current(version: int) -> str:
    """A second request for a file whose schedule has not changed since."""
    return (
        f"📅 The calendar file in our DM is still current (version {version}): "
        "nothing in the schedule has changed since I sent it."
    )


def export_unchanged() -> str:
    """A second export of a plan that has not changed."""
    return "📄 The Markdown file in our DM is still current: the plan hasn't changed since."


def calendar_comment(partner: str, version: int, ended: bool) -> str:
    """The message with a calendar file."""
    if ended:
        return (
            f"📅 Your mentorship with *{mrkdwn(partner)}* has ended. Open this file to remove "
            "the meetings from Apple Calendar or Outlook; in Google Calendar, delete the event "
            "(its import doesn't update events)."
        )
    return (
        f"📅 Your meetings with *{mrkdwn(partner)}*, as one calendar file (version {version}). "
        f"Open it to add the whole series to your calendar. {GOOGLE_CAVEAT} "
        "The file asks for no access to your calendar."
    )


def export_comment(partner: str, fallback: bool) -> str:
    """The message with the plan as a Markdown file."""
    lead = (
        "📄 Canvases aren't available in this workspace, so here is your plan with "
        f"*{mrkdwn(partner)}* as a Markdown file instead."
        if fallback
        else f"📄 Your mentorship plan with *{mrkdwn(partner)}* as a Markdown file."
    )
    return f"{lead} Reflections are in it only where their author chose to share them."


def canvas_link_text(partner: str, url: str) -> str:
    """To both people when their plan canvas is ready."""
    return (
        f"📄 Your mentorship plan with *{mrkdwn(partner)}* is now a canvas you can both edit: "
        f"<{url}|open it>. I keep the plan's sections up to date; *Our notes* is yours, "
        "and I never change it."
    )


def canvas_ready(partner: str, url: str) -> str:
    """A second `plan share`: the existing canvas."""
    return f"📄 Your plan canvas with *{mrkdwn(partner)}*: <{url}|open it>."


def canvas_coming(partner: str) -> str:
    """While the canvas is being made."""
    return (
        f"📄 I'm making the plan canvas for you and *{mrkdwn(partner)}*; "
        "the link will be in both your DMs in a moment."
    )


def share_button(pair_id: int, partner: str, label: str = SHARE_LABEL) -> ButtonElement:
    """📄 Share plan as canvas (the Home card)."""
    return ButtonElement(
        text=label,
        action_id=SHARE_CANVAS,
        value=str(pair_id),
        accessibility_label=clip(
            f"Plan canvas of your mentorship with {partner}", ACCESSIBILITY_LABEL
        ),
    )


def export_button(pair_id: int, partner: str, label: str = EXPORT_LABEL) -> ButtonElement:
    """The plan as a Markdown file in the DM."""
    return ButtonElement(
        text=label,
        action_id=EXPORT_PLAN,
        value=str(pair_id),
        accessibility_label=clip(
            f"Markdown file of your mentorship plan with {partner}", ACCESSIBILITY_LABEL
        ),
    )


def picker(action: str, choices: Sequence[tuple[int, str]]) -> tuple[str, list[Block]]:
    """ "Which mentorship?" with one button per pair (its partner's name)."""
    text = "You have more than one mentorship — which one?"
    make = {CALENDAR_FILE: calendar_button, SHARE_CANVAS: share_button}.get(action, export_button)
    buttons = [
        make(pair_id, partner, clip(partner, BUTTON_TEXT)) for pair_id, partner in choices[:25]
    ]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id=f"pick_{action}", elements=buttons),
    ]
    return text, blocks


def feed_link_text(url: str) -> str:
    """The DM with a new private calendar link (shown once: only its hash is kept)."""
    return (
        f"🔗 Your private calendar link: {url}\n"
        "Subscribe to it in your calendar app (Google Calendar: *Other calendars → From URL*; "
        "Apple Calendar: *File → New Calendar Subscription*; Outlook: *Add calendar → "
        "Subscribe from web*) and your mentorship meetings stay current by themselves. "
        "It shows times, never goals or reflections, but anyone with the link can see them: "
        "keep it to yourself. Revoke it any time on my Home tab."
    )


FEED_REVOKED = "🔗 Your calendar link is revoked: calendars subscribed to it get nothing more."
FEED_NONE = "You have no calendar link to revoke."


def feed_blocks(created: date | None) -> list[Block]:
    """The Home's calendar subscription: get a private link, or replace / revoke the one there."""
    if created is None:
        text = (
            "*📅 Calendar subscription*\nA private link your calendar app can subscribe to: "
            "all your mentorship meetings, kept current by themselves."
        )
        buttons = [_feed_button("Get my calendar link", FEED_NEW, "Create a private calendar link")]
    else:
        text = (
            "*📅 Calendar subscription*\nYour private calendar link has worked since "
            f"{format_local_date(created)}. Replace it if it got out; revoke it to stop it."
        )
        buttons = [
            _feed_button("New link", FEED_NEW, "Replace your private calendar link"),
            _feed_button("Revoke link", FEED_REVOKE, "Revoke your private calendar link"),
        ]
    return [
        SectionBlock(block_id=FEED_BLOCK, text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id=FEED_ACTIONS, elements=buttons),
        ContextBlock(
            elements=[MarkdownTextObject(text="Only you see this link; it never shows goals.")]
        ),
    ]


def _feed_button(text: str, action_id: str, label: str) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, accessibility_label=label)
