"""Counts behind the program report, one workspace at a time. No reflection or notes text is
read."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from storage.meetings import CANCELLED_MEETING
from storage.models import (
    ActionItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Pair,
    Person,
    PromptStatus,
    ReflectionPrompt,
    SessionNote,
    UTCDateTime,
)

HELD, RESCHEDULED = MeetingStatus.HELD.value, MeetingStatus.RESCHEDULED.value


@dataclass(frozen=True)
class PairCounts:
    """Meetings and reflection prompts of one pair, as counted for the report."""

    planned: int = 0
    held: int = 0
    last_held: datetime | None = None
    asked: int = 0
    answered: int = 0
    ignored: int = 0
    with_notes: int = 0  # sessions with at least one note (never the notes themselves)
    items_done: int = 0
    items_open: int = 0


def team_ids(session: Session) -> list[str]:
    """Workspaces that have at least one pair."""
    return sorted(session.scalars(select(Pair.team_id).distinct()))


def team_pairs(session: Session, team_id: str) -> list[Pair]:
    """Every pair of a workspace, oldest first."""
    return list(session.scalars(select(Pair).where(Pair.team_id == team_id).order_by(Pair.id)))


def pair_chunks(session: Session, team_id: str, size: int = 1000) -> Iterator[list[Pair]]:
    """Every pair of a workspace, oldest first, `size` at a time (keyset pages: memory stays
    flat however many pairs there are, on any database)."""
    after = 0
    while True:
        stmt = select(Pair).where(Pair.team_id == team_id, Pair.id > after)
        chunk = list(session.scalars(stmt.order_by(Pair.id).limit(size)))
        if not chunk:
            return
        yield chunk
        after = chunk[-1].id  # the session's identity map holds them weakly: they go


def cached_names(
    session: Session, team_id: str, user_ids: Collection[str] | None = None
) -> dict[str, str]:
    """user id -> cached display name, for one workspace (only `user_ids` when given)."""
    stmt = select(Person.user_id, Person.name).where(Person.team_id == team_id)
    if user_ids is not None:
        stmt = stmt.where(Person.user_id.in_(sorted(set(user_ids))))
    return {user_id: name for user_id, name in session.execute(stmt) if name}


def _only(team: Any, column: Any, team_id: str, pair_ids: Collection[int] | None) -> Any:
    """The rows of a workspace (`team` == `team_id`), or of some of its pairs (`column`, a pair
    id, among `pair_ids`: the workspace's own, so the pair id alone is the filter; with the
    workspace too, SQLite without statistics would walk the workspace's index instead)."""
    if pair_ids is None:
        return team == team_id
    ids = sorted(pair_ids)
    if ids and ids[-1] - ids[0] + 1 == len(ids):
        return and_(column >= ids[0], column <= ids[-1])  # a chunk: consecutive ids
    return column.in_(ids)


def pair_counts(
    session: Session, team_id: str, now: datetime, pair_ids: Collection[int] | None = None
) -> dict[int, PairCounts]:
    """Per pair (of `pair_ids`, or every pair): meetings planned (time passed, moved originals
    and cancelled ones excluded, or held) and held, the last held meeting, and reflection prompts
    asked, answered, and ignored (expired unanswered).
    """
    held = Meeting.status == HELD
    planned = or_(
        held,
        and_(Meeting.scheduled_at <= now, Meeting.status.not_in((RESCHEDULED, CANCELLED_MEETING))),
    )
    meetings = session.execute(
        select(
            Meeting.pair_id,
            func.sum(case((planned, 1), else_=0)),
            func.sum(case((held, 1), else_=0)),
            type_coerce(func.max(case((held, Meeting.scheduled_at), else_=None)), UTCDateTime()),
        )
        .where(_only(Meeting.team_id, Meeting.pair_id, team_id, pair_ids))
        .group_by(Meeting.pair_id)
    ).all()
    asked = ReflectionPrompt.asked_at.is_not(None)
    ignored = and_(
        asked,
        ReflectionPrompt.status == PromptStatus.EXPIRED.value,
        ReflectionPrompt.position == 0,
    )
    prompts = session.execute(
        select(
            ReflectionPrompt.pair_id,
            func.sum(case((asked, 1), else_=0)),
            func.sum(case((ReflectionPrompt.status == PromptStatus.DONE.value, 1), else_=0)),
            func.sum(case((ignored, 1), else_=0)),
        )
        .where(_only(ReflectionPrompt.team_id, ReflectionPrompt.pair_id, team_id, pair_ids))
        .group_by(ReflectionPrompt.pair_id)
    ).all()
    counts = {
        pair_id: PairCounts(planned=int(n or 0), held=int(h or 0), last_held=last)
        for pair_id, n, h, last in meetings
    }
    for pair_id, n_asked, n_done, n_ignored in prompts:
        counts[pair_id] = replace(
            counts.get(pair_id, PairCounts()),
            asked=int(n_asked or 0),
            answered=int(n_done or 0),
            ignored=int(n_ignored or 0),
        )
    return _session_counts(session, team_id, counts, pair_ids)


def _session_counts(
    session: Session,
    team_id: str,
    counts: dict[int, PairCounts],
    pair_ids: Collection[int] | None,
) -> dict[int, PairCounts]:
    """Add sessions with notes and action items done and open: counts, no text read."""
    notes = session.execute(
        select(SessionNote.pair_id, func.count(func.distinct(SessionNote.meeting_id)))
        .where(_only(SessionNote.team_id, SessionNote.pair_id, team_id, pair_ids))
        .group_by(SessionNote.pair_id)
    ).all()
    for pair_id, n in notes:
        counts[pair_id] = replace(counts.get(pair_id, PairCounts()), with_notes=int(n or 0))
    items = session.execute(
        select(
            ActionItem.pair_id,
            func.sum(case((ActionItem.status == ItemStatus.DONE.value, 1), else_=0)),
            func.sum(case((ActionItem.status == ItemStatus.OPEN.value, 1), else_=0)),
        )
        .where(_only(ActionItem.team_id, ActionItem.pair_id, team_id, pair_ids))
        .group_by(ActionItem.pair_id)
    ).all()
    for pair_id, done, open_ in items:
        counts[pair_id] = replace(
            counts.get(pair_id, PairCounts()), items_done=int(done or 0), items_open=int(open_ or 0)
        )
    return counts
