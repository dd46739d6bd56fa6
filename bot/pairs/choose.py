"""Which pair a `/mentorship` command means: the person's own, optionally narrowed by an
@mention of the partner; admins may name anyone in their workspace."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.core.payload import mentions
from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.pairs import messages as say
from bot.pairs.lifecycle import MAX_PAUSE_WEEKS
from bot.pairs.manage import pair_label as label
from bot.pairs.manage import pair_names
from bot.people.admins import is_admin
from bot.people.lookup import person
from storage.models import OPEN_STATUSES, Pair, PairStatus
from storage.pairs import pairs_for_user

APPLIES = {
    "status": OPEN_STATUSES,
    "end": OPEN_STATUSES,
    "pause": (PairStatus.ACTIVE,),
    "resume": (PairStatus.PAUSED,),
}
WEEKS_HELP = (
    f"Pause for how many weeks? For example `/mentorship pause 4` (1 to {MAX_PAUSE_WEEKS})."
)
NO_PAIR = (
    "You don't have an open mentorship. Start one with `/mentorship start @mentee`, "
    "or see earlier ones with `/mentorship list`."
)


def mentioned(text: str) -> str | None:
    """The first @mentioned user id in the command text."""
    found = mentions(text)
    return found[0] if found else None


def open_pairs(
    services: Services, client: WebClient, team_id: str, user_id: str, mention: str | None
) -> tuple[list[Pair], str | None]:
    """The open pairs a command can act on, or ([], why not)."""
    with services.sessions() as session:
        own = pairs_for_user(session, team_id, user_id)
    if mention is None:
        return own, None if own else NO_PAIR
    with_them = [p for p in own if mention in (p.mentor_id, p.mentee_id) and mention != user_id]
    if with_them:
        return with_them, None
    if is_admin(services, client, team_id, user_id):
        with services.sessions() as session:
            theirs = pairs_for_user(session, team_id, mention)
        if theirs:
            return theirs, None
    name = person(services, client, team_id, mention).name
    return (
        [],
        f"You don't have an open mentorship with {mrkdwn(name)}, so there's nothing to change.",
    )


@dataclass(frozen=True)
class Chosen:
    """The one pair a command acts on (and, for pause, for how many weeks)."""

    pair_id: int
    weeks: int | None = None


Reply = tuple[str, list[Block] | None]


def pause_weeks(rest: str) -> int | str | None:
    """The pause length in the command text: None when absent, or a message when it's invalid."""
    words = [w for w in rest.split() if not w.startswith("<@")]
    if not words:
        return None
    word = words[0].lower().removesuffix("w")
    if not word.isdecimal() or not word.isascii() or not 1 <= int(word) <= MAX_PAUSE_WEEKS:
        return WEEKS_HELP
    return int(word)


def choose(
    services: Services, client: WebClient, team_id: str, user_id: str, verb: str, rest: str
) -> Chosen | Reply:
    """status / pause / resume / end: the pair meant, or a reply (why not, or which one?)."""
    weeks = pause_weeks(rest) if verb == "pause" else None
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
        return Chosen(fitting[0].id, weeks)
    choices = [(p.id, label(services, client, p, user_id)) for p in fitting]
    return say.picker(verb, choices, weeks)
