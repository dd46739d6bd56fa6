"""Who may see or change a pair: its two participants and the program's admins, in its workspace.

Every listener passes the acting user and team from Slack's signed payload; ids carried in a
button value only say *which* pair is meant, never who is asking.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.people.admins import is_admin
from storage.models import Pair
from storage.pairs import get_pair

DENIED = "I can't find that mentorship, or it isn't yours to change, so I left it alone."


def may_manage(
    services: Services, client: WebClient, pair: Pair, team_id: str, user_id: str
) -> bool:
    """True when `user_id` of `team_id` takes part in `pair` or is a program admin there."""
    if pair.team_id != team_id:
        return False
    return pair.role_of(user_id) is not None or is_admin(services, client, team_id, user_id)


def authorized_pair(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_id: Any
) -> Pair | None:
    """The pair `raw_id` names, if the acting user may see and change it; None otherwise."""
    pair_id = parse_id(raw_id)
    if pair_id is None:
        return None
    with services.sessions() as session:
        pair = get_pair(session, team_id, pair_id)
    if pair is None or not may_manage(services, client, pair, team_id, user_id):
        return None
    return pair
