"""Which pair a `/mentorship` command means: the person's own, optionally narrowed by an
@mention of the partner; admins may name anyone in their workspace."""

from __future__ import annotations

import re

from slack_sdk import WebClient

from bot.core.services import Services
from bot.home.publish import person
from bot.people.admins import is_admin
from storage.models import OPEN_STATUSES, Pair
from storage.pairs import pairs_for_user

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
APPLIES = {
    "status": OPEN_STATUSES,
    "end": OPEN_STATUSES,
    "pause": ("active",),
    "resume": ("paused",),
}
NO_PAIR = (
    "You don't have an open mentorship. Start one with `/mentorship start @mentee`, "
    "or see earlier ones with `/mentorship list`."
)


def mentioned(text: str) -> str | None:
    """The first @mentioned user id in the command text."""
    found = MENTION.findall(text)
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
    return [], f"You don't have an open mentorship with {name}, so there's nothing to change."


def label(services: Services, client: WebClient, pair: Pair, user_id: str) -> str:
    """A button label naming the pair from the user's side: "Maya", or "Maya & Omar"."""
    if pair.role_of(user_id):
        return person(services, client, pair.team_id, pair.partner_of(user_id)).name
    mentee = person(services, client, pair.team_id, pair.mentee_id).name
    mentor = person(services, client, pair.team_id, pair.mentor_id).name
    return f"{mentee} & {mentor}"
