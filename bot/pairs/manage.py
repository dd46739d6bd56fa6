"""Acting on a pair for a person: authorize from the signed payload's user and team, change it in
one transaction, then wake the scheduler. The listener refreshes the Home tabs that show it
(`Change.people`)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.pairs import lifecycle
from bot.pairs import messages as say
from bot.pairs.access import DENIED, authorized_pair
from bot.pairs.lifecycle import DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS, Change
from bot.pairs.messages import PairNames
from bot.people.lookup import person
from storage.models import Pair
from storage.pairs import lock_pair

VERBS = ("pause", "resume", "end")


def pair_names(
    services: Services, client: WebClient, team_id: str, actor_id: str, pair: Pair
) -> PairNames:
    """The names an action's messages use (looked up before any write transaction)."""
    ids = {actor_id, pair.mentor_id, pair.mentee_id}
    names = {u: person(services, client, team_id, u).name for u in ids}
    return PairNames(actor_id, pair.mentor_id, pair.mentee_id, names)


def clamp_weeks(raw: Any) -> int:
    """A pause length in weeks: the default when missing, else within 1..MAX_PAUSE_WEEKS."""
    weeks = parse_id(raw)
    return DEFAULT_PAUSE_WEEKS if weeks is None else min(weeks, MAX_PAUSE_WEEKS)


def change_pair(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_pair_id: Any,
    verb: str,
    weeks: int | None = None,
) -> Change:
    """Pause (for `weeks`), resume or end the pair `raw_pair_id` names, if the user may."""
    pair = authorized_pair(services, client, team_id, user_id, raw_pair_id)
    if pair is None or verb not in VERBS:
        return Change(False, DENIED)
    names = pair_names(services, client, team_id, user_id, pair)
    reader_tz = person(services, client, team_id, user_id).tz or pair.tz
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is None:
            return Change(False, DENIED)
        if verb == "pause":
            change = lifecycle.pause(session, services, fresh, names, weeks or DEFAULT_PAUSE_WEEKS)
        elif verb == "resume":
            change = lifecycle.resume(session, services, fresh, names, reader_tz)
        else:
            change = lifecycle.end(session, services, fresh, names)
    if change.applied:
        services.waker()
    return change


def confirm_end(
    services: Services, client: WebClient, team_id: str, user_id: str, pair_id: int
) -> tuple[str, list[Block] | None]:
    """`/mentorship end` asks first: the confirmation button (the click ends it)."""
    pair = authorized_pair(services, client, team_id, user_id, pair_id)
    if pair is None:
        return DENIED, None
    names = pair_names(services, client, team_id, user_id, pair)
    partner = names.described_for(user_id)
    text, blocks = say.end_confirmation(
        pair.id, partner, pair_label(services, client, pair, user_id)
    )
    return text, blocks


def pair_label(services: Services, client: WebClient, pair: Pair, user_id: str) -> str:
    """A button label naming the pair from the user's side: "Maya", or "Maya & Omar"."""
    if pair.role_of(user_id):
        return person(services, client, pair.team_id, pair.partner_of(user_id)).name
    mentee = person(services, client, pair.team_id, pair.mentee_id).name
    mentor = person(services, client, pair.team_id, pair.mentor_id).name
    return f"{mentee} & {mentor}"
