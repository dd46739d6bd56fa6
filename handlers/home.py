"""The App Home tab: publishing it, its buttons, the goal modal and the plan edit modal.

Every listener acks first, then authorizes the user and team from Slack's signed payload;
button values only say which pair or goal is meant.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services, services_of
from bot.domain.plan import MAX_GOALS, validate_plan
from bot.home.publish import publish_home, refresh_homes
from bot.home.view import (
    HOME_EDIT,
    HOME_END,
    HOME_GOAL_ADD,
    HOME_GOAL_DONE,
    HOME_GOAL_REOPEN,
    HOME_PAUSE,
    HOME_PAUSE_FOR,
    HOME_RESUME,
    HOME_START,
)
from bot.pairs.access import DENIED, authorized_pair
from bot.pairs.manage import change_pair, clamp_weeks, pair_names, set_goal
from bot.people.lookup import people_for_form
from bot.plans.edit import EDIT_CALLBACK, apply_edit, edit_modal, edit_problems, edited_pair_id
from bot.plans.goal_modal import GOAL_CALLBACK, build_goal_modal, parse_goal_modal
from bot.plans.modal import field_errors, parse_plan_state
from handlers.plans import FROM_HOME, open_start_modal
from storage.models import Goal, Pair
from storage.pairs import lock_pair

log = logging.getLogger(__name__)
EDIT_MAX_AGE = timedelta(hours=1)  # facts an edit is checked against may be this old


def _who(body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of the person acting, from the signed payload."""
    return str((body.get("team") or {}).get("id") or ""), str(body["user"]["id"])


def _tell(client: WebClient, user_id: str, text: str) -> None:
    """A Home button has no message to answer in: say it in the bot's DM."""
    try:
        client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user_id, exc.response.get("error"))


def _clicked_pair(
    services: Services, client: WebClient, team_id: str, user_id: str, action: dict[str, Any]
) -> Pair | None:
    """The pair a Home button points at, if the clicker may change it; else say so (None)."""
    pair = authorized_pair(services, client, team_id, user_id, action.get("value"))
    if pair is None:
        _tell(client, user_id, DENIED)
    return pair


def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Publish the Home tab whenever someone opens it."""
    if event.get("tab", "home") != "home":
        return
    team_id = str(body.get("team_id") or context.team_id or "")
    publish_home(services_of(context), client, team_id, str(event["user"]))


def on_pair_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Pause (2 weeks, or as chosen), resume or end from the Home tab."""
    ack()
    team_id, user_id = _who(body)
    action_id = action["action_id"]
    weeks = None
    raw = action.get("value")
    if action_id == HOME_PAUSE_FOR:
        raw, _, raw_weeks = str((action.get("selected_option") or {}).get("value") or "").partition(
            ":"
        )
        weeks = clamp_weeks(raw_weeks)
    verb = {HOME_PAUSE: "pause", HOME_PAUSE_FOR: "pause", HOME_RESUME: "resume"}.get(
        action_id, "end"
    )
    change = change_pair(services_of(context), client, team_id, user_id, raw, verb, weeks)
    if not change.applied:
        _tell(client, user_id, change.reply)
        publish_home(services_of(context), client, team_id, user_id)


def on_goal_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Mark a goal done, or open it again."""
    ack()
    team_id, user_id = _who(body)
    problem = set_goal(
        services_of(context),
        client,
        team_id,
        user_id,
        action.get("value"),
        action["action_id"] == HOME_GOAL_DONE,
    )
    if problem:
        _tell(client, user_id, problem)


def on_add_goal_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open the goal modal for a pair the user may change."""
    ack()
    services = services_of(context)
    team_id, user_id = _who(body)
    pair = _clicked_pair(services, client, team_id, user_id, action)
    if pair is None:
        return
    names = pair_names(services, client, team_id, user_id, pair)
    roles = {"mentee": names.name(pair.mentee_id), "mentor": names.name(pair.mentor_id)}
    view = build_goal_modal(pair.id, roles, pair.role_of(user_id) or "mentee")
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_goal_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Store a new goal (re-checking who submits it)."""
    services = services_of(context)
    team_id, user_id = _who(body)
    raw_id, text, owner = parse_goal_modal(view)
    pair = authorized_pair(services, client, team_id, user_id, raw_id)
    if pair is None:
        ack(response_action="errors", errors={"goal": DENIED})
        return
    if not text:
        ack(response_action="errors", errors={"goal": "Please write the goal."})
        return
    if sum(1 for g in pair.goals if g.owner == owner) >= MAX_GOALS:
        ack(
            response_action="errors",
            errors={"goal": f"Up to {MAX_GOALS} goals each — mark one done or edit the plan."},
        )
        return
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is not None:
            position = max((g.position for g in fresh.goals), default=-1) + 1
            fresh.goals.append(Goal(team_id=team_id, owner=owner, text=text, position=position))
    ack()
    refresh_homes(services, client, team_id, [user_id, pair.mentee_id, pair.mentor_id])


def on_edit_clicked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Open the plan modal prefilled from the pair."""
    ack()
    services = services_of(context)
    team_id, user_id = _who(body)
    pair = _clicked_pair(services, client, team_id, user_id, action)
    if pair is None:
        return
    client.views_open(trigger_id=body["trigger_id"], view=edit_modal(pair))


def on_plan_edited(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Validate the edited plan; store it and rebuild the schedule, or show field errors."""
    services = services_of(context)
    team_id, user_id = _who(body)
    pair = authorized_pair(services, client, team_id, user_id, edited_pair_id(view))
    if pair is None:
        ack(response_action="errors", errors={"mentee": DENIED})
        return
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    people = people_for_form(
        services, team_id, [u for u in (form.mentor_id, form.mentee_id) if u], max_age=EDIT_MAX_AGE
    )
    if isinstance(people, str):
        ack(response_action="errors", errors={"mentor": people})
        return
    now = services.clock.now()
    plan, errors = validate_plan(
        form, now=now, people=people, open_pair_exists=False, keep_first_date=pair.start_date
    )
    errors.update(edit_problems(pair, form, plan, now))
    if plan is None or errors:
        ack(response_action="errors", errors=field_errors(errors))
        return
    names = pair_names(services, client, team_id, user_id, pair)
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is not None:
            apply_edit(session, services, fresh, plan, names)
    ack()
    services.waker()
    refresh_homes(services, client, team_id, [user_id, pair.mentee_id, pair.mentor_id])


def on_start_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """➕ Start a mentorship: the same plan modal as `/mentorship start`."""
    ack()
    open_start_modal(client, body["trigger_id"], metadata={"from": FROM_HOME})


def register(app: App) -> None:
    """Wire the Home tab, its buttons and its modals."""
    app.action(HOME_START)(on_start_clicked)
    app.event("app_home_opened")(on_home_opened)
    for action_id in (HOME_PAUSE, HOME_PAUSE_FOR, HOME_RESUME, HOME_END):
        app.action(action_id)(on_pair_button)
    app.action(HOME_GOAL_DONE)(on_goal_button)
    app.action(HOME_GOAL_REOPEN)(on_goal_button)
    app.action(HOME_GOAL_ADD)(on_add_goal_clicked)
    app.action(HOME_EDIT)(on_edit_clicked)
    app.view(GOAL_CALLBACK)(on_goal_submitted)
    app.view(EDIT_CALLBACK)(on_plan_edited)
