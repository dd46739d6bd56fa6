"""`/mentorship list|status|pause|resume|end|reflect|report` and the buttons in their replies.

Every reply is ephemeral. A command that needs one pair asks which one when there are several;
its buttons carry only the pair id, and the click is authorized again from the signed payload.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.core.services import Services, services_of
from bot.home.publish import card_for
from bot.home.view import card_blocks
from bot.pairs import messages as say
from bot.pairs.access import DENIED, authorized_pair, reply_privately
from bot.pairs.choose import APPLIES, label, mentioned, open_pairs
from bot.pairs.lifecycle import MAX_PAUSE_WEEKS
from bot.pairs.listing import list_reply, reflect_now, report_reply
from bot.pairs.manage import change_pair, clamp_weeks, pair_names
from bot.people.admins import is_admin

COMMANDS = ("list", "status", "pause", "resume", "end", "reflect", "report")
WEEKS_HELP = (
    f"Pause for how many weeks? For example `/mentorship pause 4` (1 to {MAX_PAUSE_WEEKS})."
)

Reply = tuple[str, list[Block] | None]


def _weeks(rest: str) -> int | str | None:
    """The pause length in the command text: None when absent, or a message when it's invalid."""
    words = [w for w in rest.split() if not w.startswith("<@")]
    if not words:
        return None
    word = words[0].lower().removesuffix("w")
    if not word.isdigit() or not 1 <= int(word) <= MAX_PAUSE_WEEKS:
        return WEEKS_HELP
    return int(word)


def _status(
    services: Services, client: WebClient, team_id: str, pair_id: int, user_id: str
) -> Reply:
    pair = authorized_pair(services, client, team_id, user_id, pair_id)
    if pair is None:
        return DENIED, None
    card = card_for(services, client, pair, user_id)
    if pair.role_of(user_id):
        return f"Your mentorship with {card.partner_name}", card_blocks(card, interactive=False)
    who = label(services, client, pair, user_id)
    heading = SectionBlock(text=MarkdownTextObject(text=f"*{who}* (you're a program admin)"))
    return f"The mentorship of {who}", [heading, *card_blocks(card, interactive=False)]


def _act(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    verb: str,
    pair_id: int,
    weeks: int | None,
) -> Reply:
    """Do `verb` to one pair (end only offers its confirmation button)."""
    if verb == "status":
        return _status(services, client, team_id, pair_id, user_id)
    if verb == "end":
        pair = authorized_pair(services, client, team_id, user_id, pair_id)
        if pair is None:
            return DENIED, None
        names = pair_names(services, client, team_id, user_id, pair)
        text, blocks = say.end_confirmation(
            pair.id, names.described_for(user_id), label(services, client, pair, user_id)
        )
        return text, blocks
    return change_pair(services, client, team_id, user_id, pair_id, verb, weeks).reply, None


def pair_command(
    verb: str, rest: str, command: dict[str, Any], client: WebClient, context: BoltContext
) -> Reply:
    """status / pause / resume / end: find the pair, ask which one if several, then act."""
    services = services_of(context)
    team_id, user_id = command["team_id"], command["user_id"]
    weeks = _weeks(rest) if verb == "pause" else None
    if isinstance(weeks, str):
        return weeks, None
    pairs, why_not = open_pairs(services, client, team_id, user_id, mentioned(rest))
    if why_not:
        return why_not, None
    fitting = [p for p in pairs if p.status in APPLIES[verb]]
    if not fitting:
        names = pair_names(services, client, team_id, user_id, pairs[0])
        return say.not_now(names, pairs[0].status, verb, pairs[0].paused_until), None
    if len(fitting) == 1:
        return _act(services, client, team_id, user_id, verb, fitting[0].id, weeks)
    choices = [(p.id, label(services, client, p, user_id)) for p in fitting]
    return say.picker(verb, choices, weeks)


def on_subcommand(
    sub: str,
    rest: str,
    command: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """Answer a management subcommand (after the command was acknowledged)."""
    services = services_of(context)
    team_id, user_id = command["team_id"], command["user_id"]
    reply: Reply
    if sub == "list":
        reply = list_reply(services, client, team_id, user_id)
    elif sub == "reflect":
        reply = reflect_now(services, client, team_id, user_id), None
    elif sub == "report":
        admin = is_admin(services, client, team_id, user_id)
        reply = report_reply(services, team_id) if admin else (say.REPORT_ADMINS_ONLY, None)
    else:
        reply = pair_command(sub, rest, command, client, context)
    text, blocks = reply
    reply_privately(respond, text, blocks=blocks)


def on_picked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """A button in a command reply: which pair (and, for end, the confirmed click)."""
    ack()
    user_id = str(body["user"]["id"])
    raw, _, raw_weeks = str(action.get("value") or "").partition(":")
    verb = {say.CMD_STATUS: "status", say.CMD_PAUSE: "pause", say.CMD_RESUME: "resume"}.get(
        action["action_id"], "end"
    )
    if verb == "end":  # the confirmed end button itself
        text = change_pair(
            services_of(context), client, str(body["team"]["id"]), user_id, raw, "end"
        ).reply
        respond(text=text, response_type="ephemeral", replace_original=True)
        return
    weeks = clamp_weeks(raw_weeks) if verb == "pause" else None
    team_id = str(body["team"]["id"])
    text, blocks = _act(
        services_of(context),
        client,
        team_id,
        user_id,
        verb,
        int(raw) if raw.isdigit() else 0,
        weeks,
    )
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


def register(app: App) -> None:
    """Wire the buttons of command replies (the command itself is routed by handlers.commands)."""
    for action_id in (say.CMD_STATUS, say.CMD_PAUSE, say.CMD_RESUME, say.CMD_END):
        app.action(action_id)(on_picked)
