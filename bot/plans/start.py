"""Starting a mentorship: the plan modal opens with no I/O, a submission is checked, stored and
both summaries queued in one transaction, and the first weeks are planned after Slack's answer."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.core.payload import metadata_of
from bot.core.services import Services
from bot.domain.plan import validate_plan
from bot.pairs.planner import plan_new_pair
from bot.people.lookup import people_for_form
from bot.plans.channel import announcement_problem
from bot.plans.form import field_errors, parse_plan_state
from bot.plans.modal import start_modal_view
from bot.plans.summary import queue_plan_summaries
from storage.models import Pair
from storage.pairs import create_pair, open_pair_exists

log = logging.getLogger(__name__)
# Facts checked on submission (deactivated? a bot? which zone?) may be this old: the modal was
# usually opened a minute ago, and `user_change` events keep the cache current in between.
CHECK_MAX_AGE = timedelta(minutes=10)
FROM_HOME = "home"  # private_metadata "from": opened on the Home tab, which then shows the pair
FORM_DID_NOT_OPEN = "Sorry, the plan form didn't open. Press the button again?"
NO_ZONE = "Your Slack profile has no time zone, so please type the plan's, such as Europe/Berlin."
ALREADY_ACTIVE = {
    "mentee": "These two already have an active mentorship. "
    "Manage it from the Home tab, or end it before starting a new one."
}


def open_start_modal(
    client: WebClient,
    trigger_id: str,
    *,
    mentor_id: str | None = None,
    mentee_id: str | None = None,
    metadata: dict[str, Any],
) -> bool:
    """Open the new-plan modal; False (logged with what went wrong) when Slack refused.

    Nothing is read or asked before `views.open`: the trigger expires after 3 seconds. The
    time zone field starts empty, meaning the creator's Slack zone when they submit.
    """
    view = start_modal_view(
        mentor_id=mentor_id, mentee_id=mentee_id, tz=None, private_metadata=metadata
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.error(
            "views.open failed (%s): the plan modal did not open; "
            "if this is expired_trigger_id the server answered too slowly",
            exc.response.get("error"),
        )
        return False
    return True


def submit_plan(
    services: Services, team_id: str, creator_id: str, view: dict[str, Any]
) -> int | dict[str, str]:
    """Check a submitted plan and store it with both summaries queued: the new pair's id, or
    the field errors to show in the modal (nothing stored).

    Slack waits 3 seconds for the answer, so only what decides it happens here; planning the
    first weeks comes after the answer (`plan_started_pair`). Were the process to die in
    between, the scheduler plans the pair on its next tick (it has never been planned).
    """
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    wanted = {form.mentor_id, form.mentee_id} - {None}
    if not (form.tz or "").strip():
        wanted.add(creator_id)  # an empty time zone means the creator's Slack zone
    people = people_for_form(services, team_id, [u for u in wanted if u], max_age=CHECK_MAX_AGE)
    if isinstance(people, str):
        return {"mentor": people}
    if creator_id in people and not (form.tz or "").strip():
        form = replace(form, tz=people[creator_id].tz)
    exists = False
    if form.mentor_id and form.mentee_id:
        with services.sessions() as session:
            exists = open_pair_exists(session, team_id, form.mentor_id, form.mentee_id)
    plan, errors = validate_plan(
        form, now=services.clock.now(), people=people, open_pair_exists=exists
    )
    if plan is None:
        if "tz" in errors and not (form.tz or "").strip():
            errors["tz"] = NO_ZONE
        return field_errors(errors)
    channel_problem = announcement_problem(services, team_id, plan)
    if channel_problem:
        return field_errors({"announce_channel": channel_problem})
    try:
        with services.sessions.begin() as session:
            pair = create_pair(session, team_id, creator_id, plan, services.clock.now())
            queue_plan_summaries(services, session, pair)
            pair_id = pair.id
    except IntegrityError:
        return dict(ALREADY_ACTIVE)
    log.info("plan stored", extra={"team_id": team_id, "pair_id": pair_id})
    return pair_id


def plan_started_pair(services: Services, pair_id: int) -> None:
    """After Slack's answer: plan the new pair's first weeks and wake the scheduler."""
    with services.sessions.begin() as session:
        stored = session.get(Pair, pair_id)
        if stored is not None and stored.planned_until is None:
            plan_new_pair(services, session, stored)
    services.waker()


def opened_from_home(view: dict[str, Any]) -> bool:
    """The plan modal was opened on the Home tab (which should then show the new pair)."""
    return metadata_of(view).get("from") == FROM_HOME
