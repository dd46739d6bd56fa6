"""Programs: a lead's program, its leads, the people enrolled, their private exclusions, and the
matching runs with their proposals. Every row carries `team_id`; pairs made by a published match
carry `program_id` (storage/models.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ProgramStatus(StrEnum):
    OPEN = "open"  # people may enrol
    CLOSED = "closed"  # enrolment closed; matching and the pairs go on


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    EITHER = "either"  # only where the program allows it; placed on one side per run


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class RunStatus(StrEnum):
    DRAFT = "draft"  # the lead is reviewing it
    SUPERSEDED = "superseded"  # a newer run replaced it
    PUBLISHED = "published"


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # kept by a re-run
    REJECTED = "rejected"  # ruled out for the next re-run
    PUBLISHED = "published"  # a pair was made
    SKIPPED = "skipped"  # at publish the pair could no longer be made (reason in `note`)
    UNMATCHED = "unmatched"  # a mentee the run found no mentor for (reasons say why)


class Program(Base):
    """A mentorship program: its defaults for the pairs it makes, and its enrolment rules."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("team_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))  # the name casefolded: one per workspace
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ProgramStatus.OPEN.value)
    tz: Mapped[str] = mapped_column(String(64))  # its dates are days in this zone
    cadence: Mapped[str] = mapped_column(String(16))
    monthly_mode: Mapped[str] = mapped_column(String(24), default="weekday_position")
    starts_on: Mapped[date]
    duration_months: Mapped[int | None]
    end_date: Mapped[date | None]
    enrol_closes_on: Mapped[date | None]
    checkpoint_weeks: Mapped[int]
    skills: Mapped[list[str]] = mapped_column(default=list)
    questions: Mapped[list[str]] = mapped_column(default=list)
    announce_channel: Mapped[str | None] = mapped_column(String(32))
    allow_either: Mapped[bool] = mapped_column(default=False)
    match_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Goes up with every change a proposal depends on (an enrolment, an edit, the settings):
    # a proposal made at another version is stale.
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProgramLead(Base):
    """A lead of one program (its creator and the co-leads they named)."""

    __tablename__ = "program_leads"
    __table_args__ = (UniqueConstraint("program_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32), index=True)


class Enrolment(Base):
    """One person in one program: role, skills, goals (or what they can help with), capacity."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("program_id", "user_id"),
        Index("ix_enrolments_program_status", "program_id", "status"),
        # Someone's enrolments (every Home asks), and the workspace's by status (0010; it was
        # (team_id) alone, and someone's were found among the workspace's).
        Index("ix_enrolments_team_user_status", "team_id", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=EnrolmentStatus.ENROLLED.value)
    skills: Mapped[list[str]] = mapped_column(default=list)
    goals: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=1)
    # Goes up when the answers change: each revision gets one confirmation DM.
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Exclusion(Base):
    """ "Don't match me with": private to the person who asked, never shown to anyone else."""

    __tablename__ = "program_exclusions"
    __table_args__ = (UniqueConstraint("enrolment_id", "excluded_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    excluded_id: Mapped[str] = mapped_column(String(32))


class MatchRun(Base):
    """One matching run of a program: its settings, the rules carried over, and its result."""

    __tablename__ = "match_runs"
    __table_args__ = (Index("ix_match_runs_program_status", "program_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.DRAFT.value)
    program_version: Mapped[int]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # matching.Settings.to_dict()
    # Pairs the lead ruled out (rejected or swapped away), carried into every later re-run.
    ruled_out: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(32))


class MatchProposal(Base):
    """One mentee in a run: the proposed mentor (or none), why, the runners-up, the lead's call."""

    __tablename__ = "match_proposals"
    __table_args__ = (UniqueConstraint("run_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.PROPOSED.value)
    pinned: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str] = mapped_column(String(16), default="solved")
    score: Mapped[float | None]
    breakdown: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # matching_explain.Reason fields, rendered (and escaped) only when shown.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    runners_up: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text)
    pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairs.id", ondelete="SET NULL"), index=True
    )
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
