"""The documents feature's tables: a pair's calendar UID key and plan canvas, and people's
private calendar subscriptions. Declared on the one `Base` (storage.models imports this module,
so the metadata always has them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class PairDocument(Base):
    """What the bot keeps about a pair's documents, created the first time one is asked for.

    `uid_key` keys the calendar file's UID (an HMAC, so the UID reveals no ids). The canvas:
    its id, link and state ("" never asked, "pending", "ready", "unavailable" when the workspace has
    no canvases), who asked for it, and `sections`, the Markdown of each section the bot owns
    as it last wrote them (a sync changes only what differs from that).
    """

    __tablename__ = "pair_documents"

    pair_id: Mapped[int] = mapped_column(
        ForeignKey("pairs.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    uid_key: Mapped[str] = mapped_column(String(64))
    canvas_id: Mapped[str | None] = mapped_column(String(32))
    canvas_url: Mapped[str | None] = mapped_column(String(300))
    canvas_state: Mapped[str] = mapped_column(String(16), default="")
    canvas_owner: Mapped[str | None] = mapped_column(String(32))
    share_round: Mapped[int] = mapped_column(default=0)
    sync_round: Mapped[int] = mapped_column(default=0)
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CalendarFeed(Base):
    """One person's private calendar subscription link; only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        Index("ix_calendar_feeds_team_user", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
