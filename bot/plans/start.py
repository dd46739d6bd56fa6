"""Starting a mentorship: the plan modal opens with no I/O, a submission is checked, stored and
both summaries queued at once (one statement on PostgreSQL, one transaction on SQLite), and
the first weeks are planned after Slack's answer (under load on the first weeks' planner's
thread, with the pairs stored meanwhile), before both summaries go out."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.core.payload import metadata_of
from bot.core.services import Services
from bot.delivery.immediate import Immediate
from bot.delivery.render import Rendered
from bot.domain.plan import PersonFacts, Plan, validate_plan
from bot.pairs.planner import plan_new_pair, plan_new_pairs
from bot.people.lookup import Looked, looked_for_form
from bot.plans.channel import announcement_problem
from bot.plans.first_weeks import FirstWeeks
from bot.plans.form import field_errors, parse_plan_state
from bot.plans.modal import start_modal_view
from bot.plans.summary import (
    new_pair_summaries,
    queue_plan_summaries,
    summary_keys,
    summary_recipients,
)
from storage import keys
from storage.db import autocommit_connection
from storage.models import Pair
from storage.new_plans import store_new_plan
from storage.pairs import NewPair, create_pair, new_pair_rows

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


@dataclass(frozen=True)
class Started:
    """A stored plan: the pair as stored (values, with its goals and milestones), each
    person's zone, and both people as looked up for the check."""

    pair: NewPair
    zones: dict[str, str]
    people: dict[str, PersonFacts]


def submit_plan(
    services: Services, team_id: str, creator_id: str, view: dict[str, Any]
) -> Started | dict[str, str]:
    """Check a submitted plan and store it with both summaries queued: the new pair, or the
    field errors to show in the modal (nothing stored).

    Slack waits 3 seconds for the answer, so only what decides it happens here: one read of
    the people cache (`users.info`, in parallel, only for someone not seen in the last ten
    minutes) and one statement (PostgreSQL) or transaction (SQLite) storing the people's
    facts, the pair, its goals, milestones and both summaries (`store_plan`). Two people who
    already share an open mentorship are refused by the database's unique index, in that
    statement or transaction. Planning the first weeks comes after the answer
    (`plan_started_pair`); were the process to die before it, the scheduler plans the pair on
    its next tick (it has never been planned).
    """
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    wanted = {form.mentor_id, form.mentee_id} - {None}
    if not (form.tz or "").strip():
        wanted.add(creator_id)  # an empty time zone means the creator's Slack zone
    looked = looked_for_form(services, team_id, [u for u in wanted if u], max_age=CHECK_MAX_AGE)
    if isinstance(looked, str):
        return {"mentor": looked}
    people = looked.facts
    if creator_id in people and not (form.tz or "").strip():
        form = replace(form, tz=people[creator_id].tz)
    plan, errors = validate_plan(
        form, now=services.clock.now(), people=people, open_pair_exists=False
    )
    problem = None if plan is None else announcement_problem(services, team_id, plan)
    if plan is None or problem:
        _remember(services, team_id, looked)
        if problem:
            return field_errors({"announce_channel": problem})
        if "tz" in errors and not (form.tz or "").strip():
            errors["tz"] = NO_ZONE
        return field_errors(errors)
    try:
        pair = store_plan(services, team_id, creator_id, plan, looked)
    except IntegrityError:  # uq_pairs_open_people: these two already have an open mentorship
        _remember(services, team_id, looked)
        return dict(ALREADY_ACTIVE)
    log.info("plan stored", extra={"team_id": team_id, "pair_id": pair.id})
    both = (pair.mentee_id, pair.mentor_id)
    zones = {u: people[u].tz or pair.tz for u in both}
    return Started(pair, zones, {u: people[u] for u in both})


def store_plan(
    services: Services, team_id: str, creator_id: str, plan: Plan, looked: Looked
) -> NewPair:
    """The plan stored with the people's facts Slack has just given and both summaries
    queued: on PostgreSQL one statement in autocommit (`store_new_plan`: one round trip where
    the transaction took five), on SQLite one transaction (whose BEGIN and COMMIT are no round
    trips). IntegrityError, nothing stored, when the two already share an open mentorship."""
    now = services.clock.now()
    engine = services.sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        rows = new_pair_rows(team_id, creator_id, plan, now)
        with autocommit_connection(engine) as conn:
            return store_new_plan(
                conn,
                rows,
                people=looked.to_save(),
                people_at=looked.at,
                summaries_for=summary_recipients(rows[0]),
                now=now,
            )
    with services.sessions.begin() as session:
        looked.remember(session, team_id)
        pair = create_pair(session, team_id, creator_id, plan, now)
        queue_plan_summaries(services, session, pair, now)
    return pair


def _remember(services: Services, team_id: str, looked: Looked) -> None:
    """Cache what Slack said about the people of a form that stored nothing."""
    if looked.fetched:
        with services.sessions.begin() as session:
            looked.remember(session, team_id)


def plan_started_pair(services: Services, started: Started | int) -> None:
    """After Slack's answer: plan the new pair's first weeks, then see that both plan
    summaries go out (planned first, as the scheduler would: when they arrive, the weeks are
    planned).

    Given what `submit_plan` returned (the pair in memory, both people as looked up), the pair
    goes to the first weeks' planner (`_FIRST_WEEKS`, bot/plans/first_weeks.py): planned here
    at once when nothing else is being planned, else queued, and this returns at once; the
    planner's thread plans it with the pairs stored meanwhile (`_plan_started`).
    Given a pair id (a program's publish), it is planned here and the scheduler is woken to
    render and send its summaries."""
    if isinstance(started, Started):
        _FIRST_WEEKS.plan(services, started)
        return
    with services.sessions.begin() as session:
        if (stored := session.get(Pair, started)) is not None:
            plan_new_pair(services, session, stored, None)
    services.waker(plan=False)  # nothing to plan: this did


def _plan_started(services: Services, batch: Sequence[Started]) -> None:
    """New pairs' first weeks planned in one transaction, in which their summaries are claimed
    for this process's sender; then the summaries, built from memory, are sent through the
    outbox's `sending` and finish (`Dispatcher.send_now`), by this thread or, when another
    thread is sending, by that one after its own (`Immediate`). When a send fails, they go back
    to pending and the scheduler is woken with them (`Dispatcher.give`), which sends them
    without reading or rendering them again."""
    with services.sessions.begin() as session:
        plan_new_pairs(services, session, [(s.pair, s.zones) for s in batch])
        # The first person in a new workspace hears the welcome before their plan's summary:
        # if it still waits, it is claimed and sent with them (first: it was due earlier).
        wanted: dict[str, None] = {}
        for s in batch:
            wanted[keys.welcome(s.pair.team_id, s.pair.creator_id)] = None
            wanted.update(dict.fromkeys(summary_keys(s.pair).values()))
        claimed = _IMMEDIATE.claim(services, session, list(wanted))
    # Planned, their summaries claimed: nothing of them is left for this process's tick (and a
    # send that fails below wakes it for the summaries, which it must then not leave alone).
    services.in_hand.discard(s.pair.id for s in batch)
    messages: dict[str, Rendered] = {}
    for s in batch:
        messages.update(new_pair_summaries(s.pair, s.people))
    _IMMEDIATE.send(services, [], messages, claimed)


# New pairs' first weeks: planned at once when nothing else is, else by one thread, those
# stored while it plans in its next transaction (bot/plans/first_weeks.py).
_FIRST_WEEKS: FirstWeeks[Started] = FirstWeeks(_plan_started, lambda s: s.pair.id)
# One submission at a time sends summaries: its own, and those of submissions stored while it
# was sending (bot/delivery/immediate.py).
_IMMEDIATE = Immediate()


def first_weeks_idle() -> bool:
    """No new pair waits for its first weeks or its summaries on the planner's thread."""
    return _FIRST_WEEKS.idle


def release_unsent(services: Services) -> int:
    """When `serve` stops: new pairs not yet planned are left to the next tick, and summaries
    claimed for this process's sender and not yet handed to Slack go back to pending, for that
    tick; how many summaries."""
    services.answering.stop()  # the planner's thread no longer waits out a burst
    left = _FIRST_WEEKS.drop(services)
    if left:
        log.info("%d new pairs left to the scheduler to plan", left)
    return _IMMEDIATE.release(services)


def opened_from_home(view: dict[str, Any]) -> bool:
    """The plan modal was opened on the Home tab (which should then show the new pair)."""
    return metadata_of(view).get("from") == FROM_HOME
