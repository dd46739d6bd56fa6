"""Programs on the App Home tab: a Join button while a program is open, and for its leads each
program's counts (never who): enrolled mentors and mentees, open mentor places, skill supply and
demand, matched and waiting, and the health of its pairs by the report's at-risk rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.core.text import BUTTON_TEXT, SECTION_FIELD, SECTION_TEXT, clip, mrkdwn
from bot.domain.timefmt import format_local_date
from bot.programs.access import is_enrolling, programs_led
from bot.reports.overview import overview
from bot.reports.totals import ProgramTotals
from storage.models import ALL_STATUSES
from storage.program_models import Program
from storage.programs import enrolled, enrolled_running, enrolments_of_user, team_programs

HOME_JOIN = "home_program_join"
HOME_REVIEW = "home_program_review"
HOME_CLOSE = "home_program_close"
HOME_REOPEN = "home_program_reopen"
HOME_EDIT_PROGRAM = "home_program_edit"
HOME_PROGRAM_ACTIONS = (HOME_REVIEW, HOME_CLOSE, HOME_REOPEN, HOME_EDIT_PROGRAM)
CARDS_SHOWN = 5
LABEL = 75


@dataclass(frozen=True)
class ProgramCard:
    """One program as its lead sees it on the Home tab: counts only."""

    program_id: int
    name: str
    enrolling: bool
    closes_on: date | None
    mentors: int
    mentees: int
    either: int
    places: int
    open_places: int
    matched: int
    waiting: int
    skills: tuple[tuple[str, int, int], ...]  # (skill, mentees who want it, mentors who offer it)
    pairs: tuple[tuple[str, int], ...]  # (status, count)
    at_risk: int


@dataclass(frozen=True)
class ProgramsHome:
    """What the Home shows about programs to one person."""

    open_programs: tuple[str, ...]
    mine: tuple[tuple[str, str], ...]  # (program, role) of the reader's own enrolments
    cards: tuple[ProgramCard, ...]
    more: int = 0


def card_for(
    session: Session, program: Program, report: ProgramTotals | None, now_open: bool
) -> ProgramCard:
    """Count one program (no names leave this function)."""
    team = program.team_id
    rows = enrolled(session, team, program.id)
    mentoring, matched_mentees = enrolled_running(session, team, program.id)
    roles = Counter(r.role for r in rows)
    mentors = [
        r for r in rows if r.role == "mentor" or (r.role == "either" and mentoring[r.user_id])
    ]
    mentees = [r for r in rows if r not in mentors]
    wanted = Counter(s.casefold() for r in mentees for s in set(r.skills))
    offered = Counter(s.casefold() for r in rows if r.role != "mentee" for s in set(r.skills))
    skills = tuple(
        (s, wanted[s.casefold()], offered[s.casefold()])
        for s in program.skills
        if wanted[s.casefold()] or offered[s.casefold()]
    )
    mine = report.program(program.id) if report else None
    matched = sum(1 for r in mentees if r.user_id in matched_mentees)
    return ProgramCard(
        program_id=program.id,
        name=program.name,
        enrolling=now_open,
        closes_on=program.enrol_closes_on,
        mentors=roles["mentor"],
        mentees=roles["mentee"],
        either=roles["either"],
        places=sum(r.capacity for r in mentors),
        open_places=sum(max(r.capacity - mentoring[r.user_id], 0) for r in mentors),
        matched=matched,
        waiting=len(mentees) - matched,
        skills=skills,
        pairs=tuple(
            zip(ALL_STATUSES, mine.statuses if mine else (0,) * len(ALL_STATUSES), strict=True)
        ),
        at_risk=mine.at_risk if mine else 0,
    )


def programs_home(
    services: Services,
    client: WebClient,
    session: Session,
    team_id: str,
    user_id: str,
    report: ProgramTotals | None,
) -> ProgramsHome | None:
    """The programs part of one person's Home (None when the workspace has no program)."""
    programs = team_programs(session, team_id)
    if not programs:
        return None
    now = services.clock.now()
    names = {p.id: p.name for p in programs}
    mine = tuple(
        (names[e.program_id], e.role) for e in enrolments_of_user(session, team_id, user_id)
    )
    led = programs_led(services, client, team_id, user_id)
    if led and report is None:
        report = overview(
            services, session, team_id, now
        )  # the pairs' health, by the report's rules
    cards = tuple(card_for(session, p, report, is_enrolling(p, now)) for p in led[:CARDS_SHOWN])
    return ProgramsHome(
        open_programs=tuple(p.name for p in programs if is_enrolling(p, now)),
        mine=mine,
        cards=cards,
        more=max(len(led) - CARDS_SHOWN, 0),
    )


def _button(
    text: str, action_id: str, value: str, label: str, primary: bool = False
) -> ButtonElement:
    return ButtonElement(
        text=clip(text, BUTTON_TEXT),
        action_id=action_id,
        value=value,
        accessibility_label=clip(label, LABEL),
        style="primary" if primary else None,
    )


def join_blocks(home: ProgramsHome) -> list[Block]:
    """A line about the open programs with a Join button (nothing when none is open)."""
    if not home.open_programs and not home.mine:
        return []
    parts = []
    if home.open_programs:
        listed = ", ".join(f"*{mrkdwn(n)}*" for n in home.open_programs[:5])
        more = f" and {len(home.open_programs) - 5} more" if len(home.open_programs) > 5 else ""
        parts.append(f"Open for enrolment: {listed}{more}.")
    if home.mine:
        parts.append(
            "You're enrolled in "
            + ", ".join(f"*{mrkdwn(n)}* as a {role}" for n, role in home.mine[:5])
            + "."
        )
    button = (
        _button("Join a program", HOME_JOIN, "join", "Join a mentorship program")
        if home.open_programs
        else None
    )
    return [
        SectionBlock(
            block_id="programs_join",
            text=MarkdownTextObject(text=clip(" ".join(parts), SECTION_TEXT)),
            accessory=button,
        )
    ]


def _card_blocks(c: ProgramCard) -> list[Block]:
    state = "Enrolment closed"
    if c.enrolling:
        state = (
            f"Enrolment open until {format_local_date(c.closes_on)}"
            if c.closes_on
            else "Enrolment open"
        )
    either = f", {c.either} either" if c.either else ""
    pairs = " · ".join(f"{n} {s}" for s, n in c.pairs)
    fields = [
        f"*Enrolled*\n{c.mentors} mentor{'s' if c.mentors != 1 else ''}, {c.mentees} mentee{'s' if c.mentees != 1 else ''}{either}",
        f"*Mentor places*\n{c.open_places} open of {c.places}",
        f"*Mentees*\n{c.matched} matched, {c.waiting} waiting",
        f"*Pairs*\n{pairs}\n{c.at_risk} at risk",
    ]
    skills = " · ".join(f"{mrkdwn(s)} {w}/{o}" for s, w, o in c.skills) or "nobody enrolled yet"
    toggle = (
        _button("Close enrolment", HOME_CLOSE, str(c.program_id), f"Close enrolment of {c.name}")
        if c.enrolling
        else _button(
            "Reopen enrolment", HOME_REOPEN, str(c.program_id), f"Reopen enrolment of {c.name}"
        )
    )
    return [
        SectionBlock(
            block_id=f"program_{c.program_id}",
            text=MarkdownTextObject(text=f"*{mrkdwn(c.name)}* · {state}"),
        ),
        SectionBlock(
            block_id=f"program_counts_{c.program_id}",
            fields=[MarkdownTextObject(text=clip(f, SECTION_FIELD)) for f in fields],
        ),
        ContextBlock(
            block_id=f"program_skills_{c.program_id}",
            elements=[
                MarkdownTextObject(text=clip(f"Skills (wanted/offered): {skills}", SECTION_TEXT))
            ],
        ),
        ActionsBlock(
            block_id=f"program_actions_{c.program_id}",
            elements=[
                _button(
                    "Review matches",
                    HOME_REVIEW,
                    str(c.program_id),
                    f"Review the matches of {c.name}",
                    primary=True,
                ),
                toggle,
                _button("✏️ Edit program", HOME_EDIT_PROGRAM, str(c.program_id), f"Edit {c.name}"),
            ],
        ),
    ]


def lead_blocks(home: ProgramsHome) -> list[Block]:
    """The lead's cards, one per program (at most five, then a line)."""
    if not home.cards:
        return []
    blocks: list[Block] = [HeaderBlock(text="Programs you lead")]
    for card in home.cards:
        blocks += _card_blocks(card)
    if home.more:
        text = f"…and {home.more} more: `/mentorship program` lists them all."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    return blocks
