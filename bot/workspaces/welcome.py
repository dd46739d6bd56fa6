"""The welcome DM to whoever installed the app: what the bot does, how to start a pair or run
a program, and where the Home tab is. Queued once per workspace and person (its occurrence
key), so a second install, a retried request or a second process never sends it twice.

When it is sent: in OAuth mode right after the install; with a single SLACK_BOT_TOKEN the
installer is not known, so a workspace counts as newly installed on its first signed request
from a person, and that person gets it (bot/workspaces/activity.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock
from sqlalchemy.orm import Session

from bot.workspaces.manifest import APP_NAME
from storage import keys
from storage.models import DeliveryKind
from storage.outbox import NewDelivery, add_deliveries

START_A_PAIR = (
    "*Start a mentorship:* type `/mentorship start @mentee`, or pick *Start a mentorship* in "
    "the shortcuts menu beside the message box. A short form sets the goals, the meeting "
    "rhythm and the milestones; I take care of the reminders."
)
RUN_A_PROGRAM = (
    "*Run a program:* program admins see every pair on my Home tab and get "
    "`/mentorship report`. Workspace admins add them with `/mentorship admins add @name`."
)
FIND_THE_HOME = (
    f"*My Home tab:* open *{APP_NAME}* under *Apps* in the sidebar. Every mentorship is "
    "there, with a button for each action and a short help."
)


def welcome_message(name: str = APP_NAME) -> tuple[str, list[dict[str, Any]]]:
    """The welcome DM: fallback text and blocks (as JSON, ready for the outbox row)."""
    lead = (
        f"👋 Thanks for adding *{name}*. I turn a mentorship plan into a rhythm that runs "
        "itself: shared goals, a nudge before every meeting in each person's own time zone, "
        "and milestones with short, private reflections."
    )
    blocks = [
        SectionBlock(block_id="welcome", text=MarkdownTextObject(text=lead)),
        SectionBlock(block_id="welcome_start", text=MarkdownTextObject(text=START_A_PAIR)),
        SectionBlock(block_id="welcome_program", text=MarkdownTextObject(text=RUN_A_PROGRAM)),
        SectionBlock(block_id="welcome_home", text=MarkdownTextObject(text=FIND_THE_HOME)),
        ContextBlock(
            block_id="welcome_help",
            elements=[MarkdownTextObject(text="`/mentorship help` lists every command.")],
        ),
    ]
    return f"👋 Thanks for adding {name}.", [b.to_dict() for b in blocks]


def queue_welcome(session: Session, team_id: str, user_id: str, now: datetime) -> bool:
    """Queue the welcome DM for `user_id`, due now; False when it was queued before."""
    text, blocks = welcome_message()
    row = NewDelivery(
        team_id=team_id,
        kind=DeliveryKind.NOTICE,
        recipient_id=user_id,
        occurrence_key=keys.welcome(team_id, user_id),
        due_at=now,
        payload={"text": text, "blocks": blocks},
    )
    return add_deliveries(session, [row], now) == 1
