"""Session notes and action items of several pairs at once (a Home with many pairs): the
batched forms of `pair_items`, `held_meetings(...)[0]` and `progress` in storage/notes.py."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.domain.agenda import DONE, DROPPED, OPEN, Progress
from storage.models import Meeting, MeetingStatus
from storage.notes_models import ActionItem, SessionNote


def open_items_of(
    session: Session, team_id: str, pair_ids: Sequence[int]
) -> dict[int, list[ActionItem]]:
    """`pair_items` (open items) of several pairs, in one query."""
    found: dict[int, list[ActionItem]] = {pair_id: [] for pair_id in pair_ids}
    if not pair_ids:
        return found
    stmt = (
        select(ActionItem)
        .where(ActionItem.team_id == team_id, ActionItem.pair_id.in_(list(pair_ids)))
        .where(ActionItem.status == OPEN)
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    for item in session.scalars(stmt):
        found[item.pair_id].append(item)
    return found


def last_held_of(session: Session, team_id: str, pair_ids: Sequence[int]) -> dict[int, Meeting]:
    """Each pair's latest held session (`held_meetings(...)[0]`), in one query."""
    if not pair_ids:
        return {}
    # The latest is picked here: with ORDER BY scheduled_at, SQLite read every held meeting of
    # the workspace in that order through (team_id, status, scheduled_at).
    stmt = (
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.pair_id.in_(list(pair_ids)))
        .where(Meeting.status == MeetingStatus.HELD.value)
    )
    found: dict[int, Meeting] = {}
    for meeting in session.scalars(stmt):
        latest = found.get(meeting.pair_id)
        if latest is None or (meeting.scheduled_at, meeting.id) > (latest.scheduled_at, latest.id):
            found[meeting.pair_id] = meeting
    return found


def progress_of(session: Session, team_id: str, pair_ids: Sequence[int]) -> dict[int, Progress]:
    """`progress` of several pairs, in three grouped queries."""
    if not pair_ids:
        return {}
    ids = list(pair_ids)
    held = {
        pair_id: n
        for pair_id, n in session.execute(
            select(Meeting.pair_id, func.count())
            .where(Meeting.team_id == team_id, Meeting.pair_id.in_(ids))
            .where(Meeting.status == MeetingStatus.HELD.value)
            .group_by(Meeting.pair_id)
        )
    }
    notes = {
        pair_id: n
        for pair_id, n in session.execute(
            select(SessionNote.pair_id, func.count(func.distinct(SessionNote.meeting_id)))
            .where(SessionNote.team_id == team_id, SessionNote.pair_id.in_(ids))
            .group_by(SessionNote.pair_id)
        )
    }
    items = {
        pair_id: (int(done or 0), int(open_ or 0), int(dropped or 0))
        for pair_id, done, open_, dropped in session.execute(
            select(
                ActionItem.pair_id,
                *(
                    func.sum(case((ActionItem.status == s, 1), else_=0))
                    for s in (DONE, OPEN, DROPPED)
                ),
            )
            .where(ActionItem.team_id == team_id, ActionItem.pair_id.in_(ids))
            .group_by(ActionItem.pair_id)
        )
    }
    return {
        pair_id: Progress(
            int(held.get(pair_id) or 0),
            int(notes.get(pair_id) or 0),
            *items.get(pair_id, (0, 0, 0)),
        )
        for pair_id in ids
    }
