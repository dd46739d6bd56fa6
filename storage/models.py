"""SQLAlchemy 2 typed models. Every workspace-owned row carries `team_id`."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The base lives in storage/base.py so that the program tables (storage/program_models.py) can
# share it; both are imported here, so every table is on `Base.metadata` wherever models are.
from storage import program_models as program_models
from storage.base import NAMING as NAMING
from storage.base import Base as Base
from storage.base import UTCDateTime as UTCDateTime

# Sessions' tables (agenda items, notes, action items) live in a module of their own; imported
# here so that everything that reads the models sees one complete metadata.
from storage.notes_models import ActionItem as ActionItem
from storage.notes_models import ActionItemEvent as ActionItemEvent
from storage.notes_models import AgendaItem as AgendaItem
from storage.notes_models import ItemStatus as ItemStatus
from storage.notes_models import NoteVisibility as NoteVisibility
from storage.notes_models import SessionNote as SessionNote


class PairStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


OPEN_STATUSES = (PairStatus.ACTIVE.value, PairStatus.PAUSED.value)
ALL_STATUSES = tuple(s.value for s in PairStatus)
OPEN_PAIR = "status IN ('active', 'paused')"


def _where(condition: str) -> dict[str, Any]:
    """A partial index's condition, for both databases."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class HasPeople(Protocol):
    @property
    def mentor_id(self) -> str: ...

    @property
    def mentee_id(self) -> str: ...


class PairPeople:
    """A pair's two people (for `Pair` and for `storage.pairs.NewPair`)."""

    def partner_of(self: HasPeople, user_id: str) -> str:
        """The other participant."""
        return self.mentee_id if user_id == self.mentor_id else self.mentor_id

    def role_of(self: HasPeople, user_id: str) -> str | None:
        """'mentor', 'mentee' or None."""
        if user_id == self.mentor_id:
            return "mentor"
        if user_id == self.mentee_id:
            return "mentee"
        return None


class Pair(PairPeople, Base):
    """A mentorship: two people and their plan's structure."""

    __tablename__ = "pairs"
    __table_args__ = (
        # At most one open mentorship per two people in a workspace, even under racing submits.
        Index("uq_pairs_open_people", "team_id", "people_key", unique=True, **_where(OPEN_PAIR)),
        # The scheduler's every-tick questions find their few rows without reading every pair.
        Index("ix_pairs_status_planned_until", "status", "planned_until"),
        Index("ix_pairs_status_end_date", "status", "end_date"),
        # The report's totals (0007); someone's own pairs, on every Home (0007).
        Index("ix_pairs_team_status_program", "team_id", "status", "program_id"),
        Index("ix_pairs_team_mentor", "team_id", "mentor_id"),
        Index("ix_pairs_team_mentee", "team_id", "mentee_id"),
        # Whether two people have an open pair (a program's publish, per proposal): SQLite
        # cannot use the partial index above for `status IN (?, ?)` with bound values (0010).
        Index("ix_pairs_team_people", "team_id", "people_key"),
        # A program's mentee has one open mentorship in it, even under a double-clicked publish.
        Index(
            "uq_pairs_open_program_mentee",
            "program_id",
            "mentee_id",
            unique=True,
            **_where(f"{OPEN_PAIR} AND program_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    mentor_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    people_key: Mapped[str] = mapped_column(String(80))
    creator_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.ACTIVE.value)
    start_date: Mapped[date]
    end_date: Mapped[date]
    tz: Mapped[str] = mapped_column(String(64))
    cadence: Mapped[str] = mapped_column(String(16))
    monthly_mode: Mapped[str] = mapped_column(String(24), default="weekday_position")
    meeting_time: Mapped[time]
    format: Mapped[str] = mapped_column(String(16))
    channels: Mapped[str] = mapped_column(String(64))
    checkpoint_weeks: Mapped[int]
    announce_channel: Mapped[str | None] = mapped_column(String(32))
    announce: Mapped[bool] = mapped_column(default=False)
    paused_until: Mapped[date | None]
    schedule_version: Mapped[int] = mapped_column(default=1)
    meeting_minutes: Mapped[int] = mapped_column(default=30, server_default=text("30"))
    planned_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Set when a program's published match made the pair (None for `/mentorship start`). No
    # foreign key: SQLite can add one to an existing table only by rebuilding it, and dropping
    # the old `pairs` with foreign keys on would cascade-delete every goal, meeting and message.
    program_id: Mapped[int | None] = mapped_column(index=True)
    # The program's checkpoint questions, copied when the pair is made (None: the standard ones).
    checkpoint_questions: Mapped[list[str] | None]

    goals: Mapped[list[Goal]] = relationship(
        back_populates="pair", order_by="Goal.position", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="pair", order_by="Milestone.due_date", cascade="all, delete-orphan"
    )


class GoalOwner(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    SHARED = "shared"


class Goal(Base):
    """One goal of a plan: the mentee's, the mentor's, or the shared vision."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    position: Mapped[int] = mapped_column(default=0)

    pair: Mapped[Pair] = relationship(back_populates="goals")


class Milestone(Base):
    """Kickoff, a feedback checkpoint, or the final review."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("pair_id", "kind", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    index: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date]
    completed_at: Mapped[datetime | None]
    announced_at: Mapped[datetime | None]

    pair: Mapped[Pair] = relationship(back_populates="milestones")


class MeetingStatus(StrEnum):
    UPCOMING = "upcoming"
    HELD = "held"
    SKIPPED = "skipped"
    RESCHEDULED = "rescheduled"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"  # dropped by a pause, an end or a plan edit; never "missed"


class Meeting(Base):
    """One planned meeting of a pair and what became of it."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("pair_id", "occurrence_key"),
        # The report's totals over a workspace, and a pair's last held meeting (0007).
        Index("ix_meetings_team_status_at", "team_id", "status", "scheduled_at"),
        Index("ix_meetings_pair_status_at", "pair_id", "status", "scheduled_at"),
        # Pairs' meetings as the Home asks for them (workspace, pairs, status); with only the
        # two above SQLite read the workspace's held meetings through the first (0010).
        Index("ix_meetings_pair_team_status_at", "pair_id", "team_id", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    occurrence_key: Mapped[str] = mapped_column(String(64))
    scheduled_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.UPCOMING.value)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None]


NAME_MAX, TZ_MAX = 128, 64  # people.name and every tz column


class Person(Base):
    """Cached `users.info` facts about a Slack user."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    tz: Mapped[str | None] = mapped_column(String(TZ_MAX))
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    deleted: Mapped[bool] = mapped_column(default=False)
    is_bot: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime]


class DeliveryKind(StrEnum):
    """What an outbox row sends; `bot/kinds.py` maps each to its renderer."""

    NUDGE = "nudge"
    FOLLOWUP = "followup"
    PLAN_SUMMARY = "plan_summary"
    NOTICE = "notice"
    REFLECTION_PROMPT = "reflection_prompt"
    REFLECTION_REMINDER = "reflection_reminder"
    ANNOUNCEMENT = "announcement"
    JOURNEY = "journey"
    SESSION_NOTES = "session_notes"  # to the partner: someone wrote notes on your session
    CALENDAR_FILE = "calendar_file"  # the meeting series as an .ics in a person's DM
    PLAN_EXPORT = "plan_export"  # the plan as a Markdown file in a person's DM
    CANVAS = "canvas"  # create the pair's plan canvas (or fall back to Markdown files)
    CANVAS_SYNC = "canvas_sync"  # bring the canvas's bot-owned sections up to date
    MATCH_SUMMARY = "match_summary"  # a program pair's plan summary, with why they were matched
    ENROLMENT = "enrolment"  # what someone signed up for in a program, and what happens next


MEETING_KINDS = (DeliveryKind.NUDGE, DeliveryKind.FOLLOWUP)


class DeliveryStatus(StrEnum):
    """`pending -> claimed -> sending -> sent`; see storage/outbox.py."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


class Delivery(Base):
    """The outbox: one row per message the bot will send at a given time."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("occurrence_key"),
        Index("ix_deliveries_due", "status", "due_at"),
        # A pair's pending rows, soonest first (0010; before, SQLite read every pending row of
        # every workspace through the index above, in due order, to find one pair's).
        Index("ix_deliveries_pair_status_due", "pair_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(String(32))
    occurrence_key: Mapped[str] = mapped_column(String(160))
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class PromptStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    DONE = "done"
    STOPPED = "stopped"
    EXPIRED = "expired"


class ReflectionPrompt(Base):
    """The questions one participant is asked at one milestone, and how far they got."""

    __tablename__ = "reflection_prompts"
    __table_args__ = (
        UniqueConstraint("milestone_id", "user_id"),
        # Every planner tick sweeps open prompts past their window.
        Index("ix_reflection_prompts_status_expires_at", "status", "expires_at"),
        # The report's totals and a pair's unanswered prompts (0007).
        Index("ix_reflection_prompts_team_status_asked", "team_id", "status", "asked_at"),
        Index("ix_reflection_prompts_pair_status_position", "pair_id", "status", "position"),
        # A DM reply's prompt: the person's oldest open one (0008; in that order since 0010, or
        # SQLite took the index above and read the workspace's open prompts to find it).
        Index("ix_reflection_prompts_person", "team_id", "user_id", "status", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=PromptStatus.SCHEDULED.value)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)
    asked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    shared_at: Mapped[datetime | None]


class ReflectionAnswer(Base):
    """One DM the person sent (or one form field), keyed by the Slack message it came from."""

    __tablename__ = "reflection_answers"
    __table_args__ = (UniqueConstraint("channel", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("reflection_prompts.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None]
    skipped: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]


class ViewSubmission(Base):
    """A modal submission already taken: a replayed one (same view) changes nothing again."""

    __tablename__ = "view_submissions"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    view_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    callback_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Workspace(Base):
    """A workspace the app is installed in; uninstalled ones keep their data, get no messages."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    installed_at: Mapped[datetime | None]
    uninstalled_at: Mapped[datetime | None]


class ProgramAdmin(Base):
    """A program admin added from Slack (`/mentorship admins add`), beside `[program] admins`."""

    __tablename__ = "program_admins"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]


class HomeIntro(Base):
    """When a person was first shown the Home tab's how-it-works (it is shown once)."""

    __tablename__ = "home_intros"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shown_at: Mapped[datetime]


# slack_sdk's OAuth installation and state stores keep their own tables; they are declared on the
# same metadata so that Alembic migrations create and check them with everything else.
INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"


def _declare_slack_sdk_tables() -> None:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)


_declare_slack_sdk_tables()


# Documents' tables and the overview snapshots live in modules of their own, on this metadata.
import storage.document_models  # noqa: E402
import storage.overview_models  # noqa: E402, F401
