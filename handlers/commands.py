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
from handlers import documents, enrolment, pairs, program, programs, reflections
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
    "• `/mentorship calendar [@partner]` — your meetings as a calendar file\n"
    "• `/mentorship plan share|export [@partner]` — the plan as a canvas you both edit, "
    "or as a Markdown file\n"
    "• `/mentorship report` — the program report; `report csv` puts every pair in a CSV file "
    "in our DM (program admins)\n"
    "• `/mentorship admins` — who runs the program; `admins add @name` and "
    "`admins remove @name` change it (workspace admins)\n"
    "• `/mentorship help` — this message\n"
    "Your mentorships, goals and milestones are in my *Home* tab, with a button for each action "
    "and a short help. From the shortcuts menu, *Start a mentorship*; on any message, "
    "*Add as a goal*.\n"
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
    "calendar": documents.on_calendar,
    "plan": documents.on_plan,
    "report csv": program.on_report_csv,
    "admins": program.on_admins,
    "admins list": program.on_admins,
    "admins add": partial(program.on_admins_change, "add"),
    "admins remove": partial(program.on_admins_change, "remove"),
    "program": programs.on_program,
    "programs": programs.on_program,
    "join": enrolment.on_join,
    "leave": enrolment.on_leave,
}


def find_listener(text: str) -> tuple[str, Listener | None, str]:
    """(subcommand, its listener or None, the rest of the text); two-word subcommands such as
    `report csv` are looked up before one-word ones."""
    first, _, rest = text.strip().partition(" ")
    second, _, after = rest.strip().partition(" ")
    both = f"{first} {second}".lower()
    if second and both in COMMANDS:
        return both, COMMANDS[both], after
    return first.lower(), COMMANDS.get(first.lower()), rest


def on_mentorship_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """Route `/mentorship <subcommand>`; every reply is ephemeral."""
    sub, listener, rest = find_listener(command.get("text") or "")
    if listener is not None:
        ack()
        listener(rest, command, client, context, respond)
    elif sub in ("", "help"):
        ack(text=USAGE)
    else:
        ack(text=f"I don't know `{sub[:40]}` yet.\n\n{USAGE}")


def register(app: App) -> None:
    """Wire the slash command."""
    app.command("/mentorship")(on_mentorship_command)
