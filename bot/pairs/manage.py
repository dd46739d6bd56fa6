"""Acting on a pair for a person: authorize from the signed payload's user and team, change it in
one transaction, then wake the scheduler and refresh the Home tabs that show it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.services import Services
from bot.home.publish import person, refresh_homes
from bot.pairs import lifecycle
from bot.pairs.access import DENIED, authorized_pair, may_manage, parse_id
from bot.pairs.lifecycle import DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS, Change
from bot.pairs.messages import PairNames
from storage.models import Goal, Pair
from storage.pairs import get_pair, lock_pair

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
        refresh_homes(services, client, team_id, [user_id, *change.people])
    return change


def set_goal(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_goal_id: Any, done: bool
) -> str | None:
    """Mark a goal done (or open again); None when done, else why not."""
    goal_id = parse_id(raw_goal_id)
    with services.sessions() as session:
        goal = session.get(Goal, goal_id) if goal_id else None
        pair = (
            get_pair(session, team_id, goal.pair_id) if goal and goal.team_id == team_id else None
        )
    if goal is None or pair is None or not may_manage(services, client, pair, team_id, user_id):
        return DENIED
    with services.sessions.begin() as session:
        row = session.get(Goal, goal.id)
        if row is not None:
            row.status = "done" if done else "open"
    refresh_homes(services, client, team_id, [user_id, pair.mentee_id, pair.mentor_id])
    return None
