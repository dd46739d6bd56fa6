"""Whose documents: only the two people in a pair get its calendar file, canvas or Markdown
(the acting user from the signed payload; a button's value only says which pair). A command
means the person's own mentorship, narrowed by an @mention of the partner."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.core.payload import mentions, parse_id
from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.documents import messages as say
from bot.pairs.choose import NO_PAIR
from bot.people.lookup import person
from storage.models import ALL_STATUSES, OPEN_STATUSES, Pair
from storage.pairs import get_pair, pairs_for_user

Reply = tuple[str, list[Block] | None]


def participant_pair(services: Services, team_id: str, user_id: str, raw_id: Any) -> Pair | None:
    """The pair `raw_id` names when `user_id` of `team_id` is one of its two people."""
    pair_id = parse_id(raw_id)
    if pair_id is None:
        return None
    with services.sessions() as session:
        pair = get_pair(session, team_id, pair_id)
    return pair if pair is not None and pair.role_of(user_id) else None


def pair_for_command(
    services: Services, client: WebClient, team_id: str, user_id: str, rest: str, action: str
) -> Pair | Reply:
    """The one pair a command means, or a reply: why none, or which one (buttons that do
    `action` for the pair picked). Open mentorships come first; with none open, the earlier
    ones (a finished plan is worth exporting, an ended series worth cancelling)."""
    with services.sessions() as session:
        pairs = pairs_for_user(session, team_id, user_id, ALL_STATUSES)
    partner = next(iter(mentions(rest)), None)
    if partner is not None:
        pairs = [p for p in pairs if partner in (p.mentor_id, p.mentee_id) and partner != user_id]
        if not pairs:
            name = person(services, client, team_id, partner).name
            return f"You don't have a mentorship with {mrkdwn(name)}.", None
    if not pairs:
        return NO_PAIR, None
    pairs = [p for p in pairs if p.status in OPEN_STATUSES] or pairs
    if len(pairs) == 1:
        return pairs[0]
    choices = [(p.id, person(services, client, team_id, p.partner_of(user_id)).name) for p in pairs]
    return say.picker(action, choices)
