"""Submitting the plan modal: validate, store, and send both people a summary."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot.domain.plan import PersonFacts, validate_plan
from bot.people import lookup_person
from bot.plan_modal import CALLBACK_ID, field_errors, parse_plan_state
from bot.scheduling.planner import plan_new_pair
from bot.services import services_of
from storage.pairs import create_pair, open_pair_exists

log = logging.getLogger(__name__)
ALREADY_ACTIVE = {
    "mentee": "These two already have an active mentorship. "
    "Manage it from the Home tab, or end it before starting a new one."
}


def on_plan_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Validate the plan; answer field errors in the modal, or store it and close the modal."""
    services = services_of(context)
    team_id = (body.get("team") or {}).get("id") or view.get("team_id") or ""
    creator_id = body["user"]["id"]
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    people: dict[str, PersonFacts] = {}
    for user_id in {form.mentor_id, form.mentee_id} - {None}:
        assert user_id is not None
        people[user_id] = lookup_person(services, client, team_id, user_id, max_age=timedelta(0))
    exists = False
    if form.mentor_id and form.mentee_id:
        with services.sessions.begin() as session:
            exists = open_pair_exists(session, team_id, form.mentor_id, form.mentee_id)
    plan, errors = validate_plan(
        form, now=services.clock.now(), people=people, open_pair_exists=exists
    )
    if plan is None:
        ack(response_action="errors", errors=field_errors(errors))
        return
    try:
        with services.sessions.begin() as session:
            pair = create_pair(session, team_id, creator_id, plan, services.clock.now())
            plan_new_pair(services, session, pair)
            pair_id = pair.id
    except IntegrityError:
        ack(response_action="errors", errors=ALREADY_ACTIVE)
        return
    ack()
    log.info("plan stored", extra={"team_id": team_id, "pair_id": pair_id})
    services.waker()


def register(app: App) -> None:
    """Wire the plan modal's submission."""
    app.view(CALLBACK_ID)(on_plan_submitted)
