"""A plan's goals between edits: add one from the Home tab (or a message, bot/plans/from_message.py),
mark one done or open it again."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.domain.plan import (
    MAX_GOALS,
    MAX_GOALS_TEXT,
    MAX_TEXT,
    goal_problem,
    goal_room,
    one_goal,
    too_long,
)
from bot.pairs.access import DENIED, authorized_pair, may_manage
from bot.pairs.lifecycle import Change
from bot.pairs.manage import pair_names
from bot.plans.goal_modal import (
    GOAL_BLOCK,
    GOAL_CALLBACK,
    MINE,
    PAIR_BLOCK,
    THEIRS,
    build_goal_modal,
    parse_goal_modal,
)
from storage.documents import queue_document_sync
from storage.models import Goal, Pair
from storage.pairs import get_pair, lock_pair
from storage.submissions import already_submitted, first_submission

TOO_MANY = f"Up to {MAX_GOALS} goals each — mark one done or edit the plan."
UNREADABLE = "I couldn't read this form. Please close it and press ➕ Add a goal again."


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
            queue_document_sync(session, team_id, pair.id, services.clock.now())
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
    """Store a goal from the submitted modal (re-checking who submits it and every limit the
    form shows), once per view: a replayed submission changes nothing. Or field errors.
    The change's reply says what was added to whose mentorship."""
    raw_id, text, owner = parse_goal_modal(view)
    chosen_here = PAIR_BLOCK in _values(view)  # from a message, by someone in several pairs
    if chosen_here and raw_id is None:
        return {PAIR_BLOCK: "Please choose a mentorship."}
    pair = authorized_pair(services, client, team_id, user_id, raw_id)
    if pair is None:
        return {PAIR_BLOCK if chosen_here else GOAL_BLOCK: DENIED}
    problem = goal_problem(text)
    if problem:
        return {GOAL_BLOCK: problem}
    text = one_goal(text)  # as a line of the plan form reads it back (bullets, spaces)
    view_id = view.get("id")
    if not isinstance(view_id, str) or not 0 < len(view_id) <= 64:
        return {GOAL_BLOCK: UNREADABLE}
    owner = _role(pair, user_id, owner)
    names = pair_names(services, client, team_id, user_id, pair)
    said = f"✅ Added “{mrkdwn(text)}” to {names.described_for(user_id)}. It's on my Home tab."
    people = (pair.mentee_id, pair.mentor_id)
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is None:
            return {GOAL_BLOCK: DENIED}
        if already_submitted(session, team_id, view_id):
            return Change(True, said, people)  # the same submission again: stored already
        theirs = [g.text for g in sorted(fresh.goals, key=lambda g: g.position) if g.owner == owner]
        problem = room_problem(text, theirs)
        if problem:
            return {GOAL_BLOCK: problem}
        now = services.clock.now()
        if not first_submission(
            session, team_id=team_id, view_id=view_id, callback_id=GOAL_CALLBACK, now=now
        ):
            return Change(True, said, people)  # a twin submission got there first
        position = max((g.position for g in fresh.goals), default=-1) + 1
        fresh.goals.append(Goal(team_id=team_id, owner=owner, text=text, position=position))
        queue_document_sync(session, team_id, pair.id, now)
    return Change(True, said, people)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return dict((view.get("state") or {}).get("values") or {})


def _role(pair: Pair, user_id: str, owner: str) -> str:
    """ "mentee" or "mentor" for the owner chosen in the form (`mine`/`theirs` are relative to
    the person submitting; someone outside the pair adds the mentee's goals)."""
    if owner not in (MINE, THEIRS):
        return owner
    mine = pair.role_of(user_id) or "mentor"
    if owner == MINE:
        return mine
    return "mentee" if mine == "mentor" else "mentor"


def room_problem(text: str, theirs: list[str]) -> str | None:
    """Why one more goal cannot join a person's goals, or None: every goal stored must fit the
    plan form, so that ✏️ Edit plan can always show and save them (bot/domain/plan.py)."""
    if len(theirs) >= MAX_GOALS:
        return TOO_MANY
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
