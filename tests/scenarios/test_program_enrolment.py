"""Enrolment through the stand-in: several programs with their own leads, the program picker,
"either" where a program allows it, enrolling again, leaving, closing and reopening enrolment,
editing a program, and the Home tab's program parts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.programs.home import HOME_CLOSE, HOME_JOIN, HOME_REOPEN
from bot.standin import SlackStandIn
from storage.program_models import Enrolment, Exclusion, Program, ProgramLead
from tests.kit.programs import (
    BEN,
    LEAD,
    MENTEES,
    PROGRAM,
    add_cohort,
    create_program,
    enrol,
    last_view,
    open_review,
    program_id,
)
from tests.kit.workspace import LENA, MAYA, OMAR, Bot, wait_for

GUILD = "Design guild"


@pytest.fixture(autouse=True)
def cohort(standin: SlackStandIn) -> None:
    add_cohort(standin)


def reply_to(bot: Bot, user: str, text: str) -> str:
    before = len(bot.standin.ephemeral_messages(user))
    assert bot.driver.slash_command(user, text).status == 200
    wait_for(lambda: len(bot.standin.ephemeral_messages(user)) > before, what=f"reply to {text}")
    reply = bot.standin.ephemeral_messages(user)[-1]
    return f"{reply.text} {reply.blocks}"


def home_text(bot: Bot, user: str) -> str:
    home = bot.standin.home_view(user)
    return str(home.blocks) if home else ""


def two_programs(bot: Bot) -> None:
    assert not create_program(bot).body.strip()
    guild: dict[str, Any] = {
        "Program name": GUILD,
        "Skills or topics people pick from": "Figma, User research",
        "Roles": ["either"],
        "Co-leads": [LENA],
        "Enrolment closes": None,
        "Announcement channel": None,
    }
    r = create_program(bot, **guild)
    assert r.status == 200 and not r.body.strip(), r.body


def test_several_programs_each_with_its_leads(bot: Bot) -> None:
    two_programs(bot)
    with bot.sessions() as s:
        leads = s.scalars(
            select(ProgramLead.user_id).where(ProgramLead.program_id == program_id(bot, GUILD))
        )
        assert sorted(leads) == sorted([LEAD, LENA])

    # Two programs open: a picker first, then the chosen program's form in the same modal.
    before = len(bot.standin.views_for(MAYA, include_closed=True))
    bot.driver.slash_command(MAYA, "join")
    picker = last_view(bot, MAYA, "program_pick", before)
    r = bot.driver.submit_view(MAYA, picker.id, {"Program": GUILD})
    assert r.json and r.json["response_action"] == "update"
    form = bot.standin.view(picker.id)
    roles = [
        o["value"]
        for b in form.blocks
        if b.get("block_id") == "role"
        for o in b["element"]["options"]
    ]
    assert form.callback_id == "program_enrol" and roles == ["mentee", "mentor", "either"]
    answers = {
        "role": "either",
        "skills": ["Figma"],
        "goals": "Run a design critique",
        "capacity": "2",
        "avoid": [OMAR],
    }
    r = bot.driver.submit_view(MAYA, form.id, answers)
    assert r.status == 200 and not r.body.strip(), r.body

    # Enrolling again opens her own answers; submitting them unchanged changes nothing.
    before = len(bot.standin.views_for(MAYA, include_closed=True))
    bot.driver.slash_command(MAYA, f"join {GUILD.upper()}")
    mine = last_view(bot, MAYA, "program_enrol", before)
    assert mine.title == "Your enrolment" and "Run a design critique" in str(mine.blocks)
    assert not bot.driver.submit_view(MAYA, mine.id, {}).body.strip()
    bot.tick()
    assert sum("What happens next" in str(m.blocks) for m in bot.standin.dm_messages(MAYA)) == 1
    # "either" only where the program allows it.
    r = enrol(bot, BEN, {**MENTEES[BEN], "role": "mentee"}, text=f"join {PROGRAM}")
    roles = [
        b
        for b in bot.standin.views_for(BEN, include_closed=True)[-1].blocks
        if b.get("block_id") == "role"
    ]
    assert [o["value"] for o in roles[0]["element"]["options"]] == ["mentee", "mentor"]

    listing = reply_to(bot, MAYA, "program")
    assert "*Programs* (2)" in listing and "1 either" in listing
    assert "you're enrolled as a mentor or a mentee" in listing and "you lead it" not in listing
    assert "you lead it" in reply_to(bot, LENA, "program")

    # Each program has its own leads: Lena leads the guild, not the engineering program.
    assert "Only the leads" in reply_to(bot, LENA, f"program close {PROGRAM}")
    assert "closed" in reply_to(bot, LENA, f"program close {GUILD}")
    assert "closed" in reply_to(bot, OMAR, f"join {GUILD}")
    assert "open again" in reply_to(bot, LENA, f"program open {GUILD}")
    review = open_review(bot, LENA, f"program match {GUILD}")
    assert review.user_id == LENA

    # Leaving: out of the next rounds, the private list goes with it.
    assert "You've left" in reply_to(bot, MAYA, "leave")
    with bot.sessions() as s:
        row = s.scalars(select(Enrolment).where(Enrolment.user_id == MAYA)).one()
        assert row.status == "withdrawn"
        assert s.scalars(select(Exclusion).where(Exclusion.enrolment_id == row.id)).all() == []
    assert "not enrolled" in reply_to(bot, MAYA, "leave")


def test_editing_a_program_keeps_names_unique(bot: Bot) -> None:
    two_programs(bot)
    before = len(bot.standin.views_for(LEAD, include_closed=True))
    bot.driver.slash_command(LEAD, f"program edit {PROGRAM}")
    form = last_view(bot, LEAD, "program_submit", before)
    assert form.title == "Edit program" and "Kubernetes / k8s\\nGo (golang)" in str(form.blocks)
    r = bot.driver.submit_view(LEAD, form.id, {"Program name": GUILD.lower()})
    assert r.json and "already a program" in r.json["errors"]["name"]
    with bot.sessions() as s:
        version = s.get(Program, program_id(bot)).version  # type: ignore[union-attr]
    r = bot.driver.submit_view(LEAD, form.id, {"Skills or topics people pick from": "Go\nRust"})
    assert r.status == 200 and not r.body.strip()
    with bot.sessions() as s:
        program = s.get(Program, program_id(bot))
        assert program is not None and program.skills == ["Go", "Rust"]
        assert program.version == version + 1  # proposals made before are out of date


def test_the_home_tab_shows_programs(bot: Bot) -> None:
    assert not create_program(bot).body.strip()
    enrol(bot, BEN, MENTEES[BEN])
    bot.driver.open_home(LEAD)
    wait_for(lambda: "1 mentee" in home_text(bot, LEAD), what="the lead's cards")
    text = home_text(bot, LEAD)
    assert "Programs you lead" in text and "0 mentors, 1 mentee" in text
    assert "Kubernetes / k8s 1/0" in text and "*Mentees*\\n0 matched, 1 waiting" in text
    assert "Ben" not in text  # counts, never names

    # Someone not enrolled: the Join button opens the form.
    bot.driver.open_home(OMAR)
    wait_for(lambda: "Join a program" in home_text(bot, OMAR), what="the Join button")
    before = len(bot.standin.views_for(OMAR, include_closed=True))
    home = bot.standin.home_view(OMAR)
    assert home is not None and "Programs you lead" not in str(home.blocks)
    bot.driver.click(OMAR, HOME_JOIN, view_id=home.id)
    last_view(bot, OMAR, "program_enrol", before)

    # The lead closes enrolment from the Home tab, and reopens it.
    home = bot.standin.home_view(LEAD)
    assert home is not None
    bot.driver.click(LEAD, HOME_CLOSE, view_id=home.id)
    wait_for(lambda: "Reopen enrolment" in home_text(bot, LEAD), what="enrolment closed")
    home = bot.standin.home_view(LEAD)
    assert home is not None
    bot.driver.click(LEAD, HOME_REOPEN, view_id=home.id)
    wait_for(lambda: "Close enrolment" in home_text(bot, LEAD), what="enrolment reopened")
    with bot.sessions() as s:
        assert s.get(Program, program_id(bot)).status == "open"  # type: ignore[union-attr]
