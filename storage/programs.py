"""Queries on programs, their leads, enrolments and exclusions. Each takes a Session and filters on
`team_id`; callers own the transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, union, update
from sqlalchemy.orm import Session

from bot.domain.enrolment import EnrolmentDraft
from bot.domain.program import ProgramDraft, name_key
from storage.models import OPEN_STATUSES, Pair
from storage.program_models import (
    Enrolment,
    EnrolmentStatus,
    Exclusion,
    Program,
    ProgramLead,
    ProgramStatus,
)

ENROLLED = EnrolmentStatus.ENROLLED.value


def get_program(session: Session, team_id: str, program_id: int) -> Program | None:
    """One program of this workspace."""
    stmt = select(Program).where(Program.team_id == team_id, Program.id == program_id)
    return session.scalars(stmt).first()


def lock_program(session: Session, team_id: str, program_id: int) -> Program | None:
    """A program, row-locked on PostgreSQL (SQLite writers hold the database's write lock)."""
    stmt = select(Program).where(Program.team_id == team_id, Program.id == program_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def program_by_name(session: Session, team_id: str, name: str) -> Program | None:
    """The program of this workspace with this name (case and spacing don't count)."""
    stmt = select(Program).where(Program.team_id == team_id, Program.name_key == name_key(name))
    return session.scalars(stmt).first()


def team_programs(session: Session, team_id: str) -> list[Program]:
    """Every program of a workspace, oldest first."""
    stmt = select(Program).where(Program.team_id == team_id).order_by(Program.id)
    return list(session.scalars(stmt))


def lead_ids(session: Session, team_id: str, program_id: int) -> list[str]:
    """The leads of one program (creator first)."""
    stmt = (
        select(ProgramLead.user_id)
        .where(ProgramLead.team_id == team_id, ProgramLead.program_id == program_id)
        .order_by(ProgramLead.id)
    )
    return list(session.scalars(stmt))


def led_program_ids(session: Session, team_id: str, user_id: str) -> set[int]:
    """The programs someone is a lead of."""
    stmt = select(ProgramLead.program_id).where(
        ProgramLead.team_id == team_id, ProgramLead.user_id == user_id
    )
    return set(session.scalars(stmt))


def _apply(program: Program, draft: ProgramDraft) -> None:
    program.name, program.name_key = draft.name, name_key(draft.name)
    program.description = draft.description
    program.cadence, program.monthly_mode = draft.cadence, draft.monthly_mode
    program.starts_on, program.end_date = draft.starts_on, draft.end_date
    program.duration_months, program.enrol_closes_on = draft.duration_months, draft.enrol_closes_on
    program.checkpoint_weeks = draft.checkpoint_weeks
    program.skills, program.questions = list(draft.skills), list(draft.questions)
    program.announce_channel, program.allow_either = draft.announce_channel, draft.allow_either


def _set_leads(session: Session, program: Program, leads: Sequence[str]) -> None:
    wanted = list(dict.fromkeys([program.created_by, *leads]))
    session.execute(
        delete(ProgramLead).where(
            ProgramLead.team_id == program.team_id,
            ProgramLead.program_id == program.id,
            ProgramLead.user_id.not_in(wanted),
        )
    )
    have = set(lead_ids(session, program.team_id, program.id))
    session.add_all(
        ProgramLead(team_id=program.team_id, program_id=program.id, user_id=u)
        for u in wanted
        if u not in have
    )


def create_program(
    session: Session, team_id: str, creator_id: str, tz: str, draft: ProgramDraft, now: datetime
) -> Program:
    """Store a new program with its creator and co-leads as leads."""
    program = Program(
        team_id=team_id,
        tz=tz,
        status=ProgramStatus.OPEN.value,
        match_settings={},
        version=1,
        created_by=creator_id,
        created_at=now,
        updated_at=now,
    )
    _apply(program, draft)
    session.add(program)
    session.flush()
    _set_leads(session, program, draft.co_leads)
    session.flush()
    return program


def update_program(session: Session, program: Program, draft: ProgramDraft, now: datetime) -> None:
    """Store an edit of a program (its creator stays a lead); proposals made before are stale."""
    _apply(program, draft)
    program.updated_at = now
    _set_leads(session, program, draft.co_leads)
    session.flush()
    bump_version(session, program)


def bump_version(session: Session, program: Program) -> None:
    """Mark every proposal made so far stale (in SQL, so racing changes each count)."""
    session.execute(
        update(Program)
        .where(Program.id == program.id, Program.team_id == program.team_id)
        .values(version=Program.version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(program, ["version"])


def enrolment_of(session: Session, team_id: str, program_id: int, user_id: str) -> Enrolment | None:
    """Someone's enrolment in a program (withdrawn ones too)."""
    stmt = select(Enrolment).where(
        Enrolment.team_id == team_id,
        Enrolment.program_id == program_id,
        Enrolment.user_id == user_id,
    )
    return session.scalars(stmt).first()


def enrolments_of_user(session: Session, team_id: str, user_id: str) -> list[Enrolment]:
    """Someone's current enrolments in any program."""
    stmt = select(Enrolment).where(
        Enrolment.team_id == team_id, Enrolment.user_id == user_id, Enrolment.status == ENROLLED
    )
    return list(session.scalars(stmt.order_by(Enrolment.program_id)))


def enrolled(session: Session, team_id: str, program_id: int) -> list[Enrolment]:
    """The people enrolled in a program, in the order they first enrolled."""
    stmt = select(Enrolment).where(
        Enrolment.team_id == team_id,
        Enrolment.program_id == program_id,
        Enrolment.status == ENROLLED,
    )
    return list(session.scalars(stmt.order_by(Enrolment.id)))


def avoided_by(session: Session, team_id: str, enrolment_id: int) -> list[str]:
    """Whom one person asked not to be matched with (for their own form only)."""
    stmt = select(Exclusion.excluded_id).where(
        Exclusion.team_id == team_id, Exclusion.enrolment_id == enrolment_id
    )
    return list(session.scalars(stmt.order_by(Exclusion.id)))


def program_exclusions(session: Session, team_id: str, program_id: int) -> list[tuple[str, str]]:
    """(who asked, whom) for everyone enrolled in a program: for matching, never for display."""
    stmt = (
        select(Enrolment.user_id, Exclusion.excluded_id)
        .join(Exclusion, Exclusion.enrolment_id == Enrolment.id)
        .where(
            Enrolment.team_id == team_id,
            Enrolment.program_id == program_id,
            Enrolment.status == ENROLLED,
        )
    )
    return [(a, b) for a, b in session.execute(stmt)]


def save_enrolment(
    session: Session,
    program: Program,
    user_id: str,
    draft: EnrolmentDraft,
    now: datetime,
) -> tuple[Enrolment, bool]:
    """Enrol someone, or update their enrolment; (the row, whether anything changed). A change
    raises the revision (one confirmation each) and makes earlier proposals stale."""
    row = enrolment_of(session, program.team_id, program.id, user_id)
    goals = "\n".join(draft.goals)
    before: tuple[object, ...] | None = None
    if row is None:
        row = Enrolment(team_id=program.team_id, program_id=program.id, user_id=user_id)
        row.revision, row.created_at = 1, now
        session.add(row)
    else:
        avoided = avoided_by(session, program.team_id, row.id)
        before = (row.status, row.role, list(row.skills), row.goals, row.capacity, avoided)
    row.status, row.role, row.skills = ENROLLED, draft.role, list(draft.skills)
    row.goals, row.capacity, row.updated_at = goals, draft.capacity, now
    session.flush()
    after: tuple[object, ...] = (ENROLLED, draft.role, list(draft.skills), goals, draft.capacity)
    after += (list(draft.avoid),)
    if before == after:
        return row, False
    if before is not None:
        row.revision += 1
    _forget_exclusions(session, row)
    session.add_all(
        Exclusion(team_id=program.team_id, enrolment_id=row.id, excluded_id=u) for u in draft.avoid
    )
    session.flush()
    bump_version(session, program)
    return row, True


def _forget_exclusions(session: Session, row: Enrolment) -> None:
    session.execute(
        delete(Exclusion).where(Exclusion.team_id == row.team_id, Exclusion.enrolment_id == row.id)
    )


def withdraw(session: Session, program: Program, row: Enrolment, now: datetime) -> None:
    """Take someone out of a program's next runs; their private exclusions go with it."""
    row.status, row.updated_at = EnrolmentStatus.WITHDRAWN.value, now
    _forget_exclusions(session, row)
    bump_version(session, program)


def enrolment_counts(session: Session, team_id: str) -> dict[int, Counter[str]]:
    """Per program: how many people are enrolled in each role."""
    stmt = (
        select(Enrolment.program_id, Enrolment.role, func.count())
        .where(Enrolment.team_id == team_id, Enrolment.status == ENROLLED)
        .group_by(Enrolment.program_id, Enrolment.role)
    )
    counts: dict[int, Counter[str]] = {}
    for program_id, role, n in session.execute(stmt):
        counts.setdefault(program_id, Counter())[role] = int(n)
    return counts


def program_pairs(session: Session, team_id: str, program_id: int) -> list[Pair]:
    """Every pair a program made, oldest first."""
    stmt = select(Pair).where(Pair.team_id == team_id, Pair.program_id == program_id)
    return list(session.scalars(stmt.order_by(Pair.id)))


def open_program_pairs(session: Session, team_id: str, program_id: int) -> list[Pair]:
    """The program's pairs that are still running (active or paused)."""
    return [p for p in program_pairs(session, team_id, program_id) if p.status in OPEN_STATUSES]


def pairs_ever(session: Session, team_id: str, user_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(mentor, mentee) of every pair, of any program or none, that involves one of these people
    (each two people once)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    # Two index ranges (as mentor, as mentee): with OR, SQLite read every pair of the workspace.
    stmt = union(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.team_id == team_id, Pair.mentor_id.in_(ids)
        ),
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.team_id == team_id, Pair.mentee_id.in_(ids)
        ),
    )
    return [(a, b) for a, b in session.execute(stmt)]


def program_names(session: Session, team_id: str) -> dict[int, str]:
    """program id -> name, for one workspace."""
    stmt = select(Program.id, Program.name).where(Program.team_id == team_id)
    return {program_id: name for program_id, name in session.execute(stmt)}


def _enrolled(team_id: str, program_id: int) -> Any:
    return and_(
        Enrolment.team_id == team_id,
        Enrolment.program_id == program_id,
        Enrolment.status == ENROLLED,
    )


def enrolled_running(
    session: Session, team_id: str, program_id: int
) -> tuple[Counter[str], set[str]]:
    """For the people enrolled in a program: how many running pairs of it each mentors, and
    which of them are mentees in one (the lead's Home card; read by SQL, not pair by pair).

    One read that goes from the enrolments to each person's pairs (by the pairs' mentor and
    mentee indexes): as a join, SQLite (which keeps no statistics) walked every running pair of
    the program instead, 24-33 ms a query at 20,000 pairs with nobody enrolled."""
    running = and_(
        Pair.team_id == team_id, Pair.program_id == program_id, Pair.status.in_(OPEN_STATUSES)
    )
    mentoring = (
        select(func.count())
        .where(Pair.mentor_id == Enrolment.user_id, running)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    mentee = exists().where(Pair.mentee_id == Enrolment.user_id, running).correlate(Enrolment)
    rows = session.execute(
        select(Enrolment.user_id, mentoring, mentee).where(_enrolled(team_id, program_id))
    )
    counts: Counter[str] = Counter()
    mentees: set[str] = set()
    for user_id, n, is_mentee in rows:
        if n:
            counts[user_id] += int(n)
        if is_mentee:
            mentees.add(user_id)
    return counts, mentees
