"""What the sessions builders draw, as plain data (filled from the database by bot/sessions/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.agenda import Progress


@dataclass(frozen=True)
class ItemLine:
    """One action item as a reader sees it on an agenda or the Home tab."""

    item_id: int
    text: str
    owner_name: str  # "you" when the reader owns it
    due: date | None
    carried: int
    state: str  # open, carried (past this session), done, dropped
    by_name: str | None = None  # who carried or closed it; None when the reader did


@dataclass(frozen=True)
class Topic:
    """A topic one of the two added for the session."""

    text: str
    author_name: str


@dataclass(frozen=True)
class Agenda:
    """The agenda of one upcoming session, as one reader sees it."""

    pair_id: int
    meeting_id: int
    session_number: int  # 1 for the first session: what a program's guide is indexed by
    topics: tuple[Topic, ...] = ()
    items: tuple[ItemLine, ...] = ()  # in agenda order, at most NUDGE_ITEMS
    more: int = 0  # open items not listed
    prompt: str | None = None  # the program's prompt for this session; None without a program


@dataclass(frozen=True)
class NoteLine:
    """A note the reader may read: whose, and whether it is the reader's private one."""

    author_name: str
    text: str
    private: bool


@dataclass(frozen=True)
class LastSession:
    """The latest held session and the notes the reader may read."""

    meeting_id: int
    at: datetime
    notes: tuple[NoteLine, ...]


@dataclass(frozen=True)
class SessionsCard:
    """A pair's sessions on one participant's Home card."""

    pair_id: int
    reader_tz: str
    items: tuple[ItemLine, ...]
    more: int
    last: LastSession | None
    progress: Progress
    can_add: bool  # the pair is running: topics can be added
