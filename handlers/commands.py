"""`/mentorship` and its subcommands."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.plans.summary import USAGE
from handlers.pairs import COMMANDS, on_subcommand
from handlers.plans import open_start_modal

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def parse_start_mentions(text: str, creator_id: str) -> tuple[str | None, str | None]:
    """(mentee, mentor) prefilled from `start @mentee [@mentor]`; the creator mentors by default."""
    ids = MENTION.findall(text)
    if not ids:
        return None, None
    mentee = ids[0]
    mentor = ids[1] if len(ids) > 1 else (creator_id if creator_id != mentee else None)
    return mentee, mentor


def on_mentorship_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """Route `/mentorship <subcommand>`; every reply is ephemeral."""
    text = (command.get("text") or "").strip()
    sub, _, rest = text.partition(" ")
    sub = sub.lower()
    if sub == "start":
        ack()
        open_plan_modal(command, rest, client)
    elif sub in COMMANDS:
        ack()
        on_subcommand(sub, rest, command, client, context, respond)
    elif sub in ("", "help"):
        ack(text=USAGE)
    else:
        ack(text=f"I don't know `{sub[:40]}` yet.\n\n{USAGE}")


def open_plan_modal(command: dict[str, Any], rest: str, client: WebClient) -> None:
    """Open the plan modal, prefilled from the mentions; say so if Slack refused."""
    mentee, mentor = parse_start_mentions(rest, command["user_id"])
    opened = open_start_modal(
        client,
        command["trigger_id"],
        mentor_id=mentor,
        mentee_id=mentee,
        metadata={"channel_id": command.get("channel_id", "")},
    )
    if not opened and command.get("response_url"):
        _say_ephemeral(command["response_url"], "Sorry, the plan form didn't open. Try again?")


def _say_ephemeral(response_url: str, text: str) -> None:
    from slack_sdk.webhook import WebhookClient

    WebhookClient(response_url).send_dict({"response_type": "ephemeral", "text": text})


def register(app: App) -> None:
    """Wire the slash command."""
    app.command("/mentorship")(on_mentorship_command)
