"""Big cohorts written straight into the database (programs, enrolments, the people cache), and
the Services a feature function runs with when no Slack call is needed."""

from __future__ import annotations

import random
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import ManualClock
from bot.core.services import Services
from bot.domain.enrolment import EnrolmentDraft
from bot.domain.program import ProgramDraft
from storage.people import save_person
from storage.programs import create_program, save_enrolment
from tests.kit.workspace import TEAM, make_config

SKILLS = tuple(f"Skill {i:02d}" for i in range(40))
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "Asia/Tokyo")


def services_for(sessions: sessionmaker[Session], db_url: str, clock: ManualClock) -> Services:
    """Services with a client that points nowhere: a test using them must not call Slack."""
    config = make_config("http://127.0.0.1:9/api/", db_url)
    client = WebClient(token="xoxb-none", base_url="http://127.0.0.1:9/api/")
    return Services(config=config, clock=clock, sessions=sessions, client=client)


def draft(name: str = "Big program", skills: tuple[str, ...] = SKILLS) -> ProgramDraft:
    return ProgramDraft(
        name=name,
        description="",
        cadence="biweekly",
        monthly_mode="weekday_position",
        starts_on=date(2027, 3, 15),
        duration_months=6,
        end_date=None,
        enrol_closes_on=None,
        checkpoint_weeks=4,
        skills=skills,
        questions=(),
        announce_channel=None,
        allow_either=False,
        co_leads=(),
    )


def seed_cohort(
    session: Session,
    now: datetime,
    *,
    mentees: int,
    mentors: int,
    seed: int = 7,
    name_length: int = 6,
) -> int:
    """A program with `mentors` mentors (capacities 1–3) and `mentees` mentees, random skills and
    zones, everyone in the people cache; its id. Lead: U0LEAD0000."""
    rnd = random.Random(seed)
    program = create_program(session, TEAM, "U0LEAD0000", "Europe/Berlin", draft(), now)
    people = [(f"U0M{i:07d}", "mentor") for i in range(mentors)]
    people += [(f"U0E{i:07d}", "mentee") for i in range(mentees)]
    for user_id, role in people:
        name = (user_id[-4:] + "x" * name_length)[: max(name_length, 4)]
        save_person(
            session,
            team_id=TEAM,
            user_id=user_id,
            name=f"{role.title()} {name}",
            tz=rnd.choice(ZONES),
            deleted=False,
            is_bot=False,
            is_admin=False,
            now=now,
        )
        skills = tuple(rnd.sample(SKILLS, rnd.randint(1, 4)))
        goals = ("Grow in " + ", ".join(skills),) if role == "mentee" else ()
        enrolment = EnrolmentDraft(role, skills, goals, rnd.randint(1, 3), ())
        save_enrolment(session, program, user_id, enrolment, now)
    return program.id
