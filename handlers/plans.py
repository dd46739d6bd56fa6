"""The plan modal: opening it, and its submission (validate, store, send both a summary)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.core.payload import metadata_of
from bot.core.services import services_of
from bot.domain.plan import validate_plan
from bot.home.publish import publish_home
from bot.pairs.planner import plan_new_pair, queue_plan_summaries
from bot.people.lookup import people_for_form
from bot.plans.modal import CALLBACK_ID, field_errors, parse_plan_state, start_modal_view
from storage.models import Pair
from storage.pairs import create_pair, open_pair_exists

log = logging.getLogger(__name__)
# Facts checked on submission (deactivated? a bot? which zone?) may be this old: the modal was
# usually opened a minute ago, and `user_change` events keep the cache current in between.
CHECK_MAX_AGE = timedelta(minutes=10)
FROM_HOME = "home"  # private_metadata "from": opened on the Home tab, which then shows the pair


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


NO_ZONE = "Your Slack profile has no time zone, so please type the plan's, such as Europe/Berlin."
ALREADY_ACTIVE = {
    "mentee": "These two already have an active mentorship. "
    "Manage it from the Home tab, or end it before starting a new one."
}


def on_plan_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Validate the plan; answer field errors in the modal, or store it and close the modal.

    Slack waits 3 seconds for the answer, so only what decides it happens first: the checks,
    storing the pair and queueing both summaries (one transaction). Planning the first weeks
    of meetings comes after the answer; were the process to die in between, the scheduler
    plans the pair on its next tick (it has never been planned).
    """
    services = services_of(context)
    team_id = (body.get("team") or {}).get("id") or view.get("team_id") or ""
    creator_id = body["user"]["id"]
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    wanted = {form.mentor_id, form.mentee_id} - {None}
    if not (form.tz or "").strip():
        wanted.add(creator_id)  # an empty time zone means the creator's Slack zone
    people = people_for_form(services, team_id, [u for u in wanted if u], max_age=CHECK_MAX_AGE)
    if isinstance(people, str):
        ack(response_action="errors", errors={"mentor": people})
        return
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
        ack(response_action="errors", errors=field_errors(errors))
        return
    try:
        with services.sessions.begin() as session:
            pair = create_pair(session, team_id, creator_id, plan, services.clock.now())
            queue_plan_summaries(services, session, pair)
            pair_id = pair.id
    except IntegrityError:
        ack(response_action="errors", errors=ALREADY_ACTIVE)
        return
    ack()
    log.info("plan stored", extra={"team_id": team_id, "pair_id": pair_id})
    with services.sessions.begin() as session:
        stored = session.get(Pair, pair_id)
        if stored is not None and stored.planned_until is None:
            plan_new_pair(services, session, stored)
    services.waker()
    if (
        metadata_of(view).get("from") == FROM_HOME
    ):  # they are looking at the Home tab: show the new pair
        publish_home(services, client, team_id, creator_id)


def register(app: App) -> None:
    """Wire the plan modal's submission."""
    app.view(CALLBACK_ID)(on_plan_submitted)
