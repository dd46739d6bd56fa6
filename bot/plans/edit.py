"""Editing a stored plan: the plan modal prefilled from the pair, and applying a valid edit.

The schedule is rebuilt without duplicating or losing anything: meetings still in the new rule
keep their rows and their waiting messages (so nothing is sent twice); meetings the new rule no
longer has are cancelled with their messages (and come back if a later edit restores them); waiting milestone messages are re-timed in place;
the planner fills in the new slots on its next tick.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.core.payload import metadata_of
from bot.core.services import Services
from bot.domain.plan import Plan, PlanForm
from bot.domain.schedule import occurrences_utc
from bot.pairs import messages as say
from bot.pairs.lifecycle import next_meeting, revive, tell
from bot.pairs.messages import PairNames
from bot.pairs.retime import cancel_orphans, retime_pending
from bot.plans.modal import build_plan_modal
from bot.plans.summary import CADENCE_WORDS
from bot.plans.sync import sync_goals, sync_milestones
from storage.meetings import cancel_future_meetings, slot_key, upcoming_meetings
from storage.models import OPEN_STATUSES, Pair
from storage.outbox import pending_rows
from storage.pairs import meeting_rule

EDIT_CALLBACK = "plan_edit"
PEOPLE_FIXED = "To change who takes part, end this mentorship and start a new one."


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
        for row in pending_rows(session, pair.team_id, pair.id, ("announcement",)):
            session.delete(row)
    future = upcoming_meetings(session, pair.id, now)
    if future:
        until = max(m.scheduled_at for m in future)
        keep = {slot_key(i) for i in occurrences_utc(meeting_rule(pair), until=until)}
        cancel_future_meetings(
            session, pair.team_id, pair.id, after=now, keep_slots=keep, reason="plan changed"
        )
    if pair.status == "active":
        revive(session, pair, now)  # e.g. an edit that goes back to an earlier time
    session.flush()
    retime_pending(session, services, pair)
    upcoming = next_meeting(session, pair, now) if pair.status == "active" else None
    cadence = CADENCE_WORDS.get(pair.cadence, pair.cadence)
    tell(
        session,
        services,
        pair,
        "edited",
        [pair.mentee_id, pair.mentor_id],
        lambda reader, tz: say.edited_notice(names, reader, upcoming, cadence, tz),
    )
