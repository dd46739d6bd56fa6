"""`/mentorship` and its subcommands: a table from subcommand to listener."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.core.payload import mentions
from bot.plans.start import open_start_modal
from bot.programs.messages import USAGE as PROGRAM_USAGE
from handlers import enrolment, pairs, program, programs, reflections
from handlers.common import actor

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
    "Your mentorships, goals and milestones are in my *Home* tab, with a button for each action.\n"
    f"\n{PROGRAM_USAGE}"
)

# A subcommand's listener: (rest of the text, the command, client, context, respond).
Listener = Callable[[str, dict[str, Any], WebClient, BoltContext, Respond], None]


def parse_start_mentions(text: str, creator_id: str) -> tuple[str | None, str | None]:
    """(mentee, mentor) prefilled from `start @mentee [@mentor]`; the creator mentors by default."""
    ids = mentions(text)
    if not ids:
        return None, None
    mentee = ids[0]
    mentor = ids[1] if len(ids) > 1 else (creator_id if creator_id != mentee else None)
    return mentee, mentor


def on_start(
    rest: str, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """`/mentorship start [@mentee] [@mentor]`: the plan modal, prefilled from the mentions."""
    mentee, mentor = parse_start_mentions(rest, actor(command)[1])
    metadata = {"channel_id": command.get("channel_id", "")}
    opened = open_start_modal(
        client, command["trigger_id"], mentor_id=mentor, mentee_id=mentee, metadata=metadata
    )
    if not opened and command.get("response_url"):
        WebhookClient(command["response_url"]).send_dict(
            {"response_type": "ephemeral", "text": "Sorry, the plan form didn't open. Try again?"}
        )


COMMANDS: dict[str, Listener] = {
    "start": on_start,
    "list": pairs.on_list,
    "status": partial(pairs.on_pair_command, "status"),
    "pause": partial(pairs.on_pair_command, "pause"),
    "resume": partial(pairs.on_pair_command, "resume"),
    "end": partial(pairs.on_pair_command, "end"),
    "reflect": reflections.on_reflect,
    "report": program.on_report,
    "program": programs.on_program,
    "programs": programs.on_program,
    "join": enrolment.on_join,
    "leave": enrolment.on_leave,
}


def on_mentorship_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """Route `/mentorship <subcommand>`; every reply is ephemeral."""
    sub, _, rest = (command.get("text") or "").strip().partition(" ")
    listener = COMMANDS.get(sub.lower())
    if listener is not None:
        ack()
        listener(rest, command, client, context, respond)
    elif sub.lower() in ("", "help"):
        ack(text=USAGE)
    else:
        ack(text=f"I don't know `{sub[:40]}` yet.\n\n{USAGE}")


def register(app: App) -> None:
    """Wire the slash command."""
    app.command("/mentorship")(on_mentorship_command)
