"""Editing a stored plan: the plan modal prefilled from the pair, and applying a valid edit.

The schedule is rebuilt without duplicating or losing anything: meetings still in the new rule
keep their rows and their waiting messages (so nothing is sent twice); meetings the new rule no
longer has are cancelled with their messages (and come back if a later edit restores them); waiting milestone messages are re-timed in place;
the planner fills in the new slots on its next tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.core.payload import metadata_of
from bot.core.services import Services
from bot.delivery.notices import tell
from bot.domain.plan import Plan, PlanForm, validate_plan
from bot.domain.schedule import occurrences_utc
from bot.meetings.series import next_meeting, revive
from bot.pairs import messages as say
from bot.pairs.access import DENIED, authorized_pair
from bot.pairs.lifecycle import Change, calendar_offer
from bot.pairs.manage import pair_names
from bot.pairs.messages import PairNames
from bot.pairs.retime import cancel_orphans, retime_pending
from bot.people.lookup import people_for_form
from bot.plans.channel import announcement_problem
from bot.plans.form import field_errors, parse_plan_state
from bot.plans.modal import build_plan_modal
from bot.plans.summary import CADENCE_WORDS
from bot.plans.sync import sync_goals, sync_milestones
from storage.documents import queue_document_sync
from storage.meetings import cancel_future_meetings, slot_key, upcoming_meetings
from storage.models import OPEN_STATUSES, DeliveryKind, Pair, PairStatus
from storage.outbox import pending_rows
from storage.pairs import lock_pair, meeting_rule

EDIT_CALLBACK = "plan_edit"
PEOPLE_FIXED = "To change who takes part, end this mentorship and start a new one."
EDIT_MAX_AGE = timedelta(hours=1)  # facts an edit is checked against may be this old


def form_from_pair(pair: Pair) -> PlanForm:
    """The plan modal's answers as the pair has them now."""
    cadence = "monthly_day" if pair.monthly_mode == "day_of_month" else pair.cadence
    goals = {
        owner: [g.text for g in pair.goals if g.owner == owner] for owner in ("mentee", "mentor")
    }
    vision = next((g.text for g in pair.goals if g.owner == "shared"), "")
    return PlanForm(
        mentor_id=pair.mentor_id,
        mentee_id=pair.mentee_id,
        mentee_goals="\n".join(goals["mentee"]),
        mentor_goals="\n".join(goals["mentor"]),
        vision=vision,
        cadence=cadence,
        first_date=pair.start_date,
        meeting_time=pair.meeting_time,
        meeting_minutes=pair.meeting_minutes,
        tz=pair.tz,
        format=pair.format,
        channels=tuple(c for c in pair.channels.split(",") if c),
        end_date=pair.end_date,
        checkpoint_weeks=pair.checkpoint_weeks,
        announce_channel=pair.announce_channel,
        announce=pair.announce,
    )


def edit_modal(pair: Pair) -> View:
    """The plan modal, prefilled, that saves changes to this pair."""
    return build_plan_modal(
        form=form_from_pair(pair),
        private_metadata={"pair_id": pair.id},
        callback_id=EDIT_CALLBACK,
        title="Edit the mentorship",
        submit="Save",
        tz_from_profile=False,
    )


def edited_pair_id(view: dict[str, Any]) -> Any:
    """The pair id the edit modal was opened for (re-authorized by the listener)."""
    return metadata_of(view).get("pair_id")


def edit_problems(pair: Pair, form: PlanForm, plan: Plan | None, now: datetime) -> dict[str, str]:
    """Errors an edit can have beyond a new plan's: other people, a closed pair, a past end."""
    errors: dict[str, str] = {}
    if pair.status not in OPEN_STATUSES:
        errors["mentee"] = f"This mentorship has {pair.status}; there is nothing left to edit."
    elif form.mentor_id != pair.mentor_id or form.mentee_id != pair.mentee_id:
        errors["mentee"] = PEOPLE_FIXED
    if plan is not None and plan.end_date < now.astimezone(ZoneInfo(plan.tz)).date():
        errors["end_date"] = "That end date has passed — pick today or later."
    return errors


def _apply_fields(pair: Pair, plan: Plan, now: datetime) -> bool:
    """Copy the plan onto the pair; True when announcement settings changed."""
    announce_changed = (pair.announce, pair.announce_channel) != (
        plan.announce,
        plan.announce_channel,
    )
    pair.start_date, pair.end_date, pair.tz = plan.first_date, plan.end_date, plan.tz
    pair.cadence, pair.monthly_mode, pair.meeting_time = (
        plan.cadence,
        plan.monthly_mode,
        plan.meeting_time,
    )
    pair.format, pair.channels = plan.format, ",".join(plan.channels)
    pair.meeting_minutes = plan.meeting_minutes
    pair.checkpoint_weeks = plan.checkpoint_weeks
    pair.announce_channel, pair.announce = plan.announce_channel, plan.announce
    pair.updated_at, pair.planned_until = now, None
    pair.schedule_version += 1
    return announce_changed


def apply_edit(
    session: Session, services: Services, pair: Pair, plan: Plan, names: PairNames
) -> None:
    """Store an edited plan and rebuild the schedule from it (see the module docstring)."""
    now = services.clock.now()
    announce_changed = _apply_fields(pair, plan, now)
    sync_goals(pair, plan)
    session.flush()
    sync_milestones(session, pair)
    cancel_orphans(session, pair)
    if announce_changed:
        # Unsent announcements free their keys so the planner re-plans them for the new channel.
        for row in pending_rows(session, pair.team_id, pair.id, (DeliveryKind.ANNOUNCEMENT,)):
            session.delete(row)
    future = upcoming_meetings(session, pair.id, now)
    if future:
        until = max(m.scheduled_at for m in future)
        keep = {slot_key(i) for i in occurrences_utc(meeting_rule(pair), until=until)}
        cancel_future_meetings(
            session, pair.team_id, pair.id, after=now, keep_slots=keep, reason="plan changed"
        )
    if pair.status == PairStatus.ACTIVE:
        revive(session, pair, now)  # e.g. an edit that goes back to an earlier time
    session.flush()
    retime_pending(session, services, pair)
    upcoming = next_meeting(session, pair, now) if pair.status == PairStatus.ACTIVE else None
    cadence = CADENCE_WORDS.get(pair.cadence, pair.cadence)
    tell(
        session,
        services,
        pair,
        "edited",
        [pair.mentee_id, pair.mentor_id],
        lambda reader, tz: say.edited_notice(names, reader, upcoming, cadence, tz),
        calendar_offer(pair, names),
    )
    queue_document_sync(session, pair.team_id, pair.id, now)  # the plan canvas, if any


def open_edit(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_pair_id: Any,
    trigger_id: str,
) -> str | None:
    """Open the plan modal prefilled from a pair the user may change; else say why not."""
    pair = authorized_pair(services, client, team_id, user_id, raw_pair_id)
    if pair is None:
        return DENIED
    client.views_open(trigger_id=trigger_id, view=edit_modal(pair))
    return None


def submit_edit(
    services: Services, client: WebClient, team_id: str, user_id: str, view: dict[str, Any]
) -> Change | dict[str, str]:
    """Validate the edited plan; store it and rebuild the schedule, or return field errors."""
    pair = authorized_pair(services, client, team_id, user_id, edited_pair_id(view))
    if pair is None:
        return {"mentee": DENIED}
    form = parse_plan_state((view.get("state") or {}).get("values") or {})
    people = people_for_form(
        services, team_id, [u for u in (form.mentor_id, form.mentee_id) if u], max_age=EDIT_MAX_AGE
    )
    if isinstance(people, str):
        return {"mentor": people}
    now = services.clock.now()
    plan, errors = validate_plan(
        form, now=now, people=people, open_pair_exists=False, keep_first_date=pair.start_date
    )
    errors.update(edit_problems(pair, form, plan, now))
    if plan is None or errors:
        return field_errors(errors)
    channel_problem = announcement_problem(services, team_id, plan)
    if channel_problem:
        return field_errors({"announce_channel": channel_problem})
    names = pair_names(services, client, team_id, user_id, pair)
    with services.sessions.begin() as session:
        fresh = lock_pair(session, team_id, pair.id)
        if fresh is not None:
            apply_edit(session, services, fresh, plan, names)
    services.waker()
    return Change(True, "", (pair.mentee_id, pair.mentor_id))
