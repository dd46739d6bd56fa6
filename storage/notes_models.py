"""Tables of a pair's sessions: agenda items, notes, action items and what happened to each.

Text columns here are people's words: they are never logged, never in reports or channel posts,
and a deleted note is deleted (no soft delete). Every row carries `team_id`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class NoteVisibility(StrEnum):
    SHARED = "shared"  # both people of the pair
    PRIVATE = "private"  # its writer only


class AgendaItem(Base):
    """A topic either person added for their next session; covered once a session is held."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        # The same topic from the same person, while it waits, is one item (a double submit or a
        # retried request adds nothing).
        Index(
            "uq_agenda_items_waiting_text",
            "pair_id",
            "author_id",
            "text_key",
            unique=True,
            sqlite_where=text("covered_meeting_id IS NULL"),
            postgresql_where=text("covered_meeting_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    covered_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE")
    )


class SessionNote(Base):
    """One writer's shared or private note on one held session."""

    __tablename__ = "session_notes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "author_id", "visibility"),
        Index("ix_session_notes_team_meeting", "team_id", "meeting_id"),  # the report (0007)
        # Pairs' notes as the Home counts them (0010; it was (pair_id) alone, and SQLite took
        # the report's index and read the workspace's notes).
        Index("ix_session_notes_pair_team", "pair_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(String(32))
    visibility: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]


class ActionItem(Base):
    """Something one of the two will do, from a session's notes, until it is done or dropped.

    `slot` (1-5) is its line in its writer's notes form for that session, so submitting the form
    again edits the same items. A carried item stays the same row: its origin session, its
    creation time and its `carried_count` are its history (with its events)."""

    __tablename__ = "action_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "created_by", "slot"),
        Index("ix_action_items_pair_id_status", "pair_id", "status"),
        Index("ix_action_items_team_status", "team_id", "status"),  # the report (0007)
        # A pair's items as the Home and a session summary ask for them (workspace, pair and
        # status): with only the two above, SQLite took the report's and read every open (or
        # done) item of the workspace (0010).
        Index("ix_action_items_team_pair_status", "team_id", "pair_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(32))
    slot: Mapped[int]
    owner_role: Mapped[str] = mapped_column(String(16))  # "mentor" or "mentee"
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.OPEN.value)
    carried_count: Mapped[int] = mapped_column(default=0)
    # The last Done / Carry over / Drop: which session's agenda it happened on, who, when.
    last_action: Mapped[str | None] = mapped_column(String(16))
    acted_meeting_id: Mapped[int | None]
    acted_by: Mapped[str | None] = mapped_column(String(32))
    acted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ActionItemEvent(Base):
    """One step in an action item's history: added, carried, done, dropped."""

    __tablename__ = "action_item_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(
        ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    meeting_id: Mapped[int | None]
    by_user: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
