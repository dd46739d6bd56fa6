"""Running programs: the program form (new and edit), closing and reopening enrolment, and the
list of a workspace's programs."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy.exc import IntegrityError

from bot.core.payload import metadata_of, parse_id
from bot.core.services import Services
from bot.domain.program import ProgramDraft, ProgramForm, validate_program
from bot.pairs.lifecycle import Change
from bot.people.admins import is_admin
from bot.people.lookup import people_for_form
from bot.programs import messages as say
from bot.programs.access import can_lead, is_enrolling, pick, programs_led, today_in
from bot.programs.modal import field_errors, parse_program_state, program_modal
from storage.models import OPEN_STATUSES
from storage.program_models import Program, ProgramStatus
from storage.programs import (
    create_program,
    enrolment_counts,
    enrolments_of_user,
    get_program,
    lead_ids,
    led_program_ids,
    lock_program,
    program_by_name,
    program_pairs,
    team_programs,
    update_program,
)

log = logging.getLogger(__name__)
CHECK_MAX_AGE = timedelta(minutes=10)
NAME_TAKEN = {"name": "There's already a program with that name here — pick another name."}


def form_of(program: Program, co_leads: list[str]) -> ProgramForm:
    """The program form's answers as the program has them now."""
    cadence = "monthly_day" if program.monthly_mode == "day_of_month" else program.cadence
    return ProgramForm(
        name=program.name,
        description=program.description,
        cadence=cadence,
        starts_on=program.starts_on,
        duration_months=program.duration_months,
        end_date=program.end_date,
        enrol_closes_on=program.enrol_closes_on,
        checkpoint_weeks=program.checkpoint_weeks,
        skills="\n".join(program.skills),
        questions="\n".join(program.questions),
        announce_channel=program.announce_channel,
        allow_either=program.allow_either,
        co_leads=tuple(u for u in co_leads if u != program.created_by),
    )


def _stored(program: Program) -> ProgramDraft:
    """The stored dates an edit may keep although they have passed."""
    return ProgramDraft(
        name=program.name,
        description=program.description,
        cadence=program.cadence,
        monthly_mode=program.monthly_mode,
        starts_on=program.starts_on,
        duration_months=program.duration_months,
        end_date=program.end_date,
        enrol_closes_on=program.enrol_closes_on,
        checkpoint_weeks=program.checkpoint_weeks,
        skills=tuple(program.skills),
        questions=tuple(program.questions),
        announce_channel=program.announce_channel,
        allow_either=program.allow_either,
        co_leads=(),
    )


def _open(client: WebClient, trigger_id: str, view: View) -> str | None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.error(
            "views.open failed (%s): the program form did not open", exc.response.get("error")
        )
        return say.FORM_FAILED
    return None


def open_new_program(
    services: Services, client: WebClient, team_id: str, user_id: str, trigger_id: str
) -> str | None:
    """`/mentorship program new`: the empty program form for a program admin, else a refusal."""
    if not is_admin(services, client, team_id, user_id):
        return say.NOT_ADMIN
    return _open(client, trigger_id, program_modal())


def led_program(
    services: Services, client: WebClient, team_id: str, user_id: str, which: str | int, verb: str
) -> Program | str:
    """The program a lead's command (a name typed, or none) or button (an id) means, or the
    reply saying why there is none."""
    chosen: Program | str | None
    if isinstance(which, int):
        with services.sessions() as session:
            chosen = get_program(session, team_id, which) or say.unknown_program(str(which))
    else:
        chosen = pick(
            services, team_id, programs_led(services, client, team_id, user_id), which, verb
        )
    if chosen is None:
        with services.sessions() as session:
            return say.NOT_A_LEAD if team_programs(session, team_id) else say.NO_PROGRAMS
    if isinstance(chosen, str):
        return chosen
    if not can_lead(services, client, team_id, user_id, chosen):
        return say.not_lead(chosen.name)
    return chosen


def open_edit_program(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    which: str | int,
    trigger_id: str,
) -> str | None:
    """`/mentorship program edit NAME` (or ✏️ on the Home tab): the form, prefilled."""
    program = led_program(services, client, team_id, user_id, which, "program edit")
    if isinstance(program, str):
        return program
    with services.sessions() as session:
        leads = lead_ids(session, team_id, program.id)
    view = program_modal(form_of(program, leads), program_id=program.id, title="Edit program")
    return _open(client, trigger_id, view)


def submit_program(
    services: Services, team_id: str, user_id: str, view: dict[str, Any]
) -> int | dict[str, str]:
    """Check and store a submitted program form: the program's id, or the field errors (nothing
    stored). An edit is checked against who submits it again."""
    form = parse_program_state((view.get("state") or {}).get("values") or {})
    editing = parse_id(metadata_of(view).get("program"))
    client = services.client_for(team_id)
    existing = None
    if editing is not None:
        with services.sessions() as session:
            existing = get_program(session, team_id, editing)
        if existing is None or not can_lead(services, client, team_id, user_id, existing):
            return {"name": "Only this program's leads can change it."}
    elif not is_admin(services, client, team_id, user_id):
        return {"name": say.NOT_ADMIN}
    people = people_for_form(services, team_id, [user_id, *form.co_leads], max_age=CHECK_MAX_AGE)
    if isinstance(people, str):
        return {"name": people}
    tz = existing.tz if existing else (people[user_id].tz or "UTC")
    now = services.clock.now()
    with services.sessions() as session:
        same = program_by_name(session, team_id, form.name or "") if form.name else None
    draft, errors = validate_program(
        form,
        today=now.astimezone(ZoneInfo(tz)).date(),
        name_taken=same is not None and same.id != editing,
        people=people,
        keep=_stored(existing) if existing else None,
    )
    if draft is None:
        return field_errors(errors)
    try:
        with services.sessions.begin() as session:
            if existing is None:
                program = create_program(session, team_id, user_id, tz, draft, now)
            else:
                locked = lock_program(session, team_id, existing.id)
                assert locked is not None
                update_program(session, locked, draft, now)
                program = locked
            program_id = program.id
    except IntegrityError:
        return dict(NAME_TAKEN)
    log.info("program stored", extra={"team_id": team_id})
    return program_id


def set_enrolment_open(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    which: str | int,
    open_: bool,
) -> Change:
    """`/mentorship program close NAME` / `open NAME` (or the Home's buttons)."""
    verb = "program open" if open_ else "program close"
    program = led_program(services, client, team_id, user_id, which, verb)
    if isinstance(program, str):
        return Change(False, program)
    now = services.clock.now()
    with services.sessions.begin() as session:
        locked = lock_program(session, team_id, program.id)
        assert locked is not None
        locked.status = (ProgramStatus.OPEN if open_ else ProgramStatus.CLOSED).value
        if (
            open_
            and locked.enrol_closes_on
            and locked.enrol_closes_on < today_in(locked, now).date()
        ):
            locked.enrol_closes_on = None  # reopened after its closing day: open until closed
        locked.updated_at = now
    return Change(True, say.closed_reply(program.name, closed=not open_), (user_id,))


def list_reply(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> tuple[str, list[Block]]:
    """`/mentorship program`: every program of the workspace with its counts (never names)."""
    admin = is_admin(services, client, team_id, user_id)
    now = services.clock.now()
    with services.sessions() as session:
        programs = team_programs(session, team_id)
        counts = enrolment_counts(session, team_id)
        led = led_program_ids(session, team_id, user_id)
        mine = {e.program_id: e.role for e in enrolments_of_user(session, team_id, user_id)}
        pairs = {
            p.id: sum(
                1 for pair in program_pairs(session, team_id, p.id) if pair.status in OPEN_STATUSES
            )
            for p in programs
        }
    lines = [
        say.ProgramLine(
            name=p.name,
            enrolling=is_enrolling(p, now),
            closes_on=p.enrol_closes_on,
            counts=counts.get(p.id) or Counter(),
            pairs=pairs[p.id],
            leads=admin or p.id in led,
            role=mine.get(p.id),
        )
        for p in programs
    ]
    texts = say.list_text(lines)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=t)) for t in texts]
    return texts[0].split("\n")[0], blocks
