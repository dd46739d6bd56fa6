"""What the Home tab shows, as plain data: filled from the database by bot.home, drawn by
bot.home_view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.agenda import Progress
from bot.programs.home import ProgramsHome
from bot.reports.report import ProgramReport
from bot.reports.totals import ProgramTotals
from bot.sessions.data import SessionsCard


@dataclass(frozen=True)
class GoalItem:
    """One goal of the pair, with whose it is."""

    goal_id: int
    owner_name: str
    text: str
    done: bool
    owner_role: str = ""  # "mentee" or "mentor": the reader's own goal when it is their role


@dataclass(frozen=True)
class MilestoneItem:
    """One milestone: its label, date, and whether it was reached."""

    label: str
    due: date
    done: bool


@dataclass(frozen=True)
class PairCard:
    """One open mentorship as the Home's reader sees it."""

    pair_id: int
    role: str
    partner_name: str
    status: str
    paused_until: date | None
    next_meeting: datetime | None
    reader_tz: str
    partner_tz: str
    rhythm: str
    format: str
    channels: tuple[str, ...]
    end_date: date
    vision: str
    goals: tuple[GoalItem, ...]
    milestones: tuple[MilestoneItem, ...]
    # Sessions: items and notes for one of the two people; counts only for anyone else.
    sessions: SessionsCard | None = None
    session_counts: Progress | None = None


@dataclass(frozen=True)
class PastPair:
    """A completed or ended mentorship, in one line."""

    partner_name: str
    role: str
    status: str
    end_date: date


@dataclass(frozen=True)
class HomeData:
    """Everything one person's Home tab shows."""

    cards: tuple[PairCard, ...]
    past: tuple[PastPair, ...] = ()
    overview: ProgramTotals | ProgramReport | None = None  # the aggregates (tests: a report)
    # The calendar subscription (HTTP mode only): shown when on; `feed_since` is when the
    # person's live link was made (None: they have none).
    feed_enabled: bool = False
    feed_since: date | None = None
    # The first time someone's Home has nothing in it, it explains how the bot works.
    intro: bool = False
    programs: ProgramsHome | None = None  # None when the workspace has no program
    # When the overview's numbers were counted, if not just now (a large workspace's snapshot).
    overview_counted_at: datetime | None = None
