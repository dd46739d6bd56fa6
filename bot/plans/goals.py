"""A plan's goals between edits: add one from the Home tab, mark one done or open it again."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.domain.plan import MAX_GOALS, MAX_GOALS_TEXT, MAX_TEXT, goal_room, one_goal, too_long
from bot.pairs.access import DENIED, authorized_pair, may_manage
from bot.pairs.lifecycle import Change
from bot.pairs.manage import pair_names
from bot.plans.goal_modal import build_goal_modal, parse_goal_modal
from storage.models import Goal
from storage.pairs import get_pair, lock_pair


def set_goal(
    services: Services, client: WebClient, team_id: str, user_id: str, raw_goal_id: Any, done: bool
) -> Change:
    """Mark a goal done (or open again), if the user may change its pair."""
    goal_id = parse_id(raw_goal_id)
    with services.sessions() as session:
        goal = session.get(Goal, goal_id) if goal_id else None
        pair = (
            get_pair(session, team_id, goal.pair_id) if goal and goal.team_id == team_id else None
        )
    if goal is None or pair is None or not may_manage(services, client, pair, team_id, user_id):
        return Change(False, DENIED)
    with services.sessions.begin() as session:
        row = session.get(Goal, goal.id)
        if row is not None:
            row.status = "done" if done else "open"
    return Change(True, "", (pair.mentee_id, pair.mentor_id))


def open_goal_modal(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_pair_id: Any,
    trigger_id: str,
) -> str | None:
    """Open the Add-a-goal modal for a pair the user may change; else say why not."""
    pair = authorized_pair(services, client, team_id, user_id, raw_pair_id)
    if pair is None:
        return DENIED
    names = pair_names(services, client, team_id, user_id, pair)
    roles = {"mentee": names.name(pair.mentee_id), "mentor": names.name(pair.mentor_id)}
    view = build_goal_modal(pair.id, roles, pair.role_of(user_id) or "mentee")
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def add_goal(
    services: Services, client: WebClient, team_id: str, user_id: str, view: dict[str, Any]
) -> Change | dict[str, str]:
    """Store a goal from the submitted modal (re-checking who submits it), or field errors."""
    raw_id, raw_text, owner = parse_goal_modal(view)
    pair = authorized_pair(services, client, team_id, user_id, raw_id)
    if pair is None:
        return {"goal": DENIED}
    text = one_goal(raw_text)
    if not text:
        return {"goal": "Please write the goal."}
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is None:
            return {"goal": DENIED}
        theirs = [g.text for g in sorted(fresh.goals, key=lambda g: g.position) if g.owner == owner]
        problem = goal_problem(text, theirs)
        if problem:
            return {"goal": problem}
        position = max((g.position for g in fresh.goals), default=-1) + 1
        fresh.goals.append(Goal(team_id=team_id, owner=owner, text=text, position=position))
    return Change(True, "", (pair.mentee_id, pair.mentor_id))


def goal_problem(text: str, theirs: list[str]) -> str | None:
    """Why one more goal cannot join a person's goals, or None: every goal stored must fit the
    plan form, so that ✏️ Edit plan can always show and save them (bot/domain/plan.py)."""
    if len(theirs) >= MAX_GOALS:
        return f"Up to {MAX_GOALS} goals each — mark one done or edit the plan."
    if len(text) > MAX_TEXT:
        return too_long(text, MAX_TEXT)
    room = goal_room(theirs)
    if len(text) > room:
        return (
            f"That goal has {len(text):,} characters, and these goals have room for {room:,} "
            f"more ({MAX_GOALS_TEXT:,} in all). Shorten it, or tighten the others with "
            "✏️ Edit plan."
        )
    return None
