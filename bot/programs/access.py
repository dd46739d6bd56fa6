"""Who may do what with a program: program admins create programs and lead every one; a program's
own leads (its creator and co-leads) run theirs. Checked against the signed payload's user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.core.services import Services
from bot.domain.program import enrolment_open
from bot.people.admins import is_admin
from bot.programs import messages as say
from storage.program_models import Program, ProgramStatus
from storage.programs import lead_ids, led_program_ids, program_by_name, team_programs


def can_lead(
    services: Services, client: WebClient, team_id: str, user_id: str, program: Program
) -> bool:
    """The person leads this program: one of its leads, or a program admin."""
    if program.team_id != team_id:
        return False
    with services.sessions() as session:
        if user_id in lead_ids(session, team_id, program.id):
            return True
    return is_admin(services, client, team_id, user_id)


def programs_led(
    services: Services, client: WebClient, team_id: str, user_id: str
) -> list[Program]:
    """The programs someone leads (every program, for a program admin), oldest first."""
    admin = is_admin(services, client, team_id, user_id)
    with services.sessions() as session:
        programs = team_programs(session, team_id)
        led = led_program_ids(session, team_id, user_id)
    return [p for p in programs if admin or p.id in led]


def today_in(program: Program, now: datetime) -> datetime:
    """`now` in the program's zone (its dates are days there)."""
    return now.astimezone(ZoneInfo(program.tz))


def is_enrolling(program: Program, now: datetime) -> bool:
    """People may enrol in it now."""
    today = today_in(program, now).date()
    return enrolment_open(program.status == ProgramStatus.OPEN, program.enrol_closes_on, today)


def open_programs(services: Services, team_id: str) -> list[Program]:
    """The workspace's programs people may enrol in now."""
    now = services.clock.now()
    with services.sessions() as session:
        return [p for p in team_programs(session, team_id) if is_enrolling(p, now)]


def find_program(services: Services, team_id: str, name: str) -> Program | None:
    """A program by name, as typed after a command (quotes and case don't matter)."""
    cleaned = name.strip().strip("\"'“”‘’").strip()
    if not cleaned:
        return None
    with services.sessions() as session:
        return program_by_name(session, team_id, cleaned)


def pick(
    services: Services, team_id: str, programs: Sequence[Program], typed: str, verb: str
) -> Program | str | None:
    """The program a command means: the one named, or the only one of `programs`; a reply when
    it is unclear, None when there is none at all."""
    if typed.strip():
        found = find_program(services, team_id, typed)
        return found if found is not None else say.unknown_program(typed)
    if len(programs) == 1:
        return programs[0]
    if not programs:
        return None
    return say.which_program([p.name for p in programs], verb)
