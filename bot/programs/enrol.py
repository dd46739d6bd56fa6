"""Enrolling: `/mentorship join` (and the Home's Join button) opens the form — after a program
picker when several are open; a submission is checked and stored with its confirmation DM
queued; `/mentorship leave` withdraws before matching."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.core.payload import metadata_of, parse_id
from bot.core.services import Services
from bot.domain.enrolment import EnrolmentForm, validate_enrolment
from bot.people.lookup import looked_for_form
from bot.programs import messages as say
from bot.programs.access import is_enrolling, open_programs, pick
from bot.programs.enrol_modal import (
    FROM_HOME,
    ProgramChoice,
    enrolment_view,
    parse_enrolment_state,
    picked_program,
    picker_view,
)
from storage import keys
from storage.models import DeliveryKind
from storage.outbox import NewDelivery, add_deliveries
from storage.people import get_person
from storage.program_models import Program
from storage.programs import (
    avoided_by,
    enrolment_of,
    enrolments_of_user,
    get_program,
    lock_program,
    open_program_pairs,
    save_enrolment,
    team_programs,
    withdraw,
)

log = logging.getLogger(__name__)
CHECK_MAX_AGE = timedelta(minutes=10)


def _matched_partner(services: Services, program: Program, user_id: str) -> str | None:
    """The mentor of this person's running pair in the program, if they are its mentee."""
    with services.sessions() as session:
        for pair in open_program_pairs(session, program.team_id, program.id):
            if pair.mentee_id == user_id:
                person = get_person(session, program.team_id, pair.mentor_id)
                return person.name if person and person.name else pair.mentor_id
    return None


def form_view(
    services: Services, program: Program, user_id: str, *, from_home: bool = False
) -> View:
    """The enrolment form for `program`, with the person's own answers if they enrolled."""
    with services.sessions() as session:
        row = enrolment_of(session, program.team_id, program.id, user_id)
        avoid = avoided_by(session, program.team_id, row.id) if row else []
    form = None
    if row is not None and row.status == "enrolled":
        form = EnrolmentForm(
            row.role, tuple(row.skills), row.goals, str(row.capacity), tuple(avoid)
        )
    return enrolment_view(
        program_id=program.id,
        program=program.name,
        description=program.description,
        skills=program.skills,
        allow_either=program.allow_either,
        form=form,
        from_home=from_home,
    )


def _refusal(services: Services, program: Program, user_id: str) -> str | None:
    if not is_enrolling(program, services.clock.now()):
        return say.closed_for(program.name, program.enrol_closes_on)
    partner = _matched_partner(services, program, user_id)
    return say.already_matched(program.name, partner) if partner else None


def open_join(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    typed: str,
    trigger_id: str,
    *,
    from_home: bool = False,
) -> str | None:
    """`/mentorship join [program]`: the enrolment form, or the picker when several programs are
    open; a short reply instead when there is nothing to join."""
    open_now = open_programs(services, team_id)
    chosen = pick(services, team_id, open_now, typed, "join")
    if chosen is None:
        return say.NOTHING_OPEN
    view: View
    if isinstance(chosen, str):
        if typed.strip():
            return chosen
        view = picker_view([ProgramChoice(p.id, p.name) for p in open_now], from_home=from_home)
    else:
        refusal = _refusal(services, chosen, user_id)
        if refusal:
            return refusal
        view = form_view(services, chosen, user_id, from_home=from_home)
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.error(
            "views.open failed (%s): the enrolment form did not open", exc.response.get("error")
        )
        return say.FORM_FAILED
    return None


def picked(
    services: Services, team_id: str, user_id: str, view: dict[str, Any]
) -> View | dict[str, str]:
    """The picker's Next: the enrolment form of the chosen program, or a field error."""
    program_id = parse_id(picked_program((view.get("state") or {}).get("values") or {}))
    with services.sessions() as session:
        program = get_program(session, team_id, program_id) if program_id else None
    if program is None:
        return {"program": "Pick one of the programs."}
    refusal = _refusal(services, program, user_id)
    if refusal:
        return {"program": refusal.replace("*", "")}
    return form_view(services, program, user_id, from_home=opened_from_home(view))


def opened_from_home(view: dict[str, Any]) -> bool:
    """The picker or form was opened on the Home tab (which should then show the change)."""
    return metadata_of(view).get("from") == FROM_HOME


def submit_enrolment(
    services: Services, team_id: str, user_id: str, view: dict[str, Any]
) -> str | dict[str, str]:
    """Check and store an enrolment with its confirmation DM queued (an unchanged one queues
    nothing): the reply, or the field errors to show (nothing stored)."""
    program_id = parse_id(metadata_of(view).get("program"))
    with services.sessions() as session:
        program = get_program(session, team_id, program_id) if program_id else None
    if program is None:
        return {"role": "That program is gone. Close this form and try `/mentorship join` again."}
    refusal = _refusal(services, program, user_id)
    if refusal:
        return {"role": refusal.replace("*", "")}
    form = parse_enrolment_state((view.get("state") or {}).get("values") or {})
    # The person's own name and time zone come from Slack (matching reads them from the cache).
    looked = looked_for_form(services, team_id, [user_id, *form.avoid], max_age=CHECK_MAX_AGE)
    if isinstance(looked, str):
        return {"role": looked}
    draft, errors = validate_enrolment(
        form,
        user_id=user_id,
        program_skills=program.skills,
        allow_either=program.allow_either,
        people=looked.facts,
    )
    now = services.clock.now()
    if draft is None:
        if looked.fetched:  # what Slack said is cached even when the form comes back
            with services.sessions.begin() as session:
                looked.remember(session, team_id)
        return errors
    with services.sessions.begin() as session:  # the people's facts, the enrolment, the DM
        looked.remember(session, team_id)
        locked = lock_program(session, team_id, program.id)
        assert locked is not None
        row, changed = save_enrolment(session, locked, user_id, draft, now)
        if changed:
            confirmation = NewDelivery(
                team_id=team_id,
                kind=DeliveryKind.ENROLMENT,
                recipient_id=user_id,
                occurrence_key=keys.enrolment(row.id, row.revision),
                due_at=now,
                payload={"enrolment_id": row.id, "revision": row.revision},
            )
            add_deliveries(session, [confirmation], now)
    services.waker(plan=False)  # nothing to plan: send it now
    return say.joined_reply(program.name, draft.role, changed)


def leave(services: Services, team_id: str, user_id: str, typed: str) -> str:
    """`/mentorship leave [program]`: withdraw from a program's next rounds. A mentee who is
    already matched is told how to end the mentorship instead."""
    with services.sessions() as session:
        programs = {p.id: p for p in team_programs(session, team_id)}
        mine = [programs[e.program_id] for e in enrolments_of_user(session, team_id, user_id)]
    chosen = pick(services, team_id, mine, typed, "leave")
    if chosen is None:
        return say.NOT_ENROLLED
    if isinstance(chosen, str):
        return chosen
    if chosen.id not in {p.id for p in mine}:
        return f"You're not enrolled in {say.name(chosen.name)}."
    partner = _matched_partner(services, chosen, user_id)
    if partner:
        return say.already_matched(chosen.name, partner)
    with services.sessions.begin() as session:
        locked = lock_program(session, team_id, chosen.id)
        row = enrolment_of(session, team_id, chosen.id, user_id)
        if locked is None or row is None or row.status != "enrolled":
            return f"You're not enrolled in {say.name(chosen.name)}."
        mentoring = [
            p for p in open_program_pairs(session, team_id, chosen.id) if p.mentor_id == user_id
        ]
        withdraw(session, locked, row, services.clock.now())
        still = get_person(session, team_id, mentoring[0].mentee_id) if mentoring else None
    return say.left_reply(chosen.name, (still.name or still.user_id) if still else None)
