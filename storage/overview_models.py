"""The program overview of a large workspace, as last computed (bot/reports/overview.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class OverviewSnapshot(Base):
    """A workspace's program overview (pairs per status and program, meetings, prompts, notes
    and action items counted, the first pairs at risk) when it was computed: admins' Home tabs
    read this one row instead of aggregating every pair, and the heartbeat keeps it fresh.
    Counts and names only, like the report: no reflection or notes text."""

    __tablename__ = "overview_snapshots"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    computed_at: Mapped[datetime]
    pairs: Mapped[int]  # how many pairs the workspace had then
    body: Mapped[dict[str, Any]]
