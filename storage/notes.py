"""Queries on session notes and action items. Each takes a Session and filters on the workspace;
callers own the transaction (and lock the pair first when they write, see `lock_pair`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.agenda import CARRIED, DONE, DROPPED, OPEN, ItemDraft, Progress
from storage.models import Meeting, MeetingStatus
from storage.notes_models import ActionItem, ActionItemEvent, NoteVisibility, SessionNote


def notes_of(session: Session, team_id: str, meeting_ids: Sequence[int]) -> list[SessionNote]:
    """The notes of some sessions, oldest first (callers decide who may read which)."""
    if not meeting_ids:
        return []
    stmt = (
        select(SessionNote)
        .where(SessionNote.team_id == team_id, SessionNote.meeting_id.in_(list(meeting_ids)))
        .order_by(SessionNote.created_at, SessionNote.id)
    )
    return list(session.scalars(stmt))


def visible(note: SessionNote, reader_id: str) -> bool:
    """A shared note is for both people of the pair; a private one for its writer only."""
    return note.visibility == NoteVisibility.SHARED or note.author_id == reader_id


def save_note(
    session: Session,
    *,
    team_id: str,
    pair_id: int,
    meeting_id: int,
    author_id: str,
    visibility: str,
    text: str,
    now: datetime,
) -> bool:
    """Store one writer's shared or private note on a session; empty text deletes it (the row
    goes, nothing is kept). Returns whether anything changed."""
    row = session.scalars(
        select(SessionNote).where(
            SessionNote.team_id == team_id,
            SessionNote.meeting_id == meeting_id,
            SessionNote.author_id == author_id,
            SessionNote.visibility == visibility,
        )
    ).first()
    if not text:
        if row is None:
            return False
        session.delete(row)
        return True
    if row is None:
        session.add(
            SessionNote(
                team_id=team_id,
                pair_id=pair_id,
                meeting_id=meeting_id,
                author_id=author_id,
                visibility=visibility,
                text=text,
                created_at=now,
            )
        )
        return True
    if row.text == text:
        return False
    row.text, row.edited_at = text, now
    return True


def writer_items(
    session: Session, team_id: str, meeting_id: int, created_by: str
) -> dict[int, ActionItem]:
    """The action items one writer put in one session's notes, by slot."""
    rows = session.scalars(
        select(ActionItem).where(
            ActionItem.team_id == team_id,
            ActionItem.meeting_id == meeting_id,
            ActionItem.created_by == created_by,
        )
    )
    return {row.slot: row for row in rows}


def save_items(
    session: Session,
    *,
    team_id: str,
    pair_id: int,
    meeting_id: int,
    created_by: str,
    items: Sequence[ItemDraft],
    cleared: Sequence[int],
    now: datetime,
) -> int:
    """Store a writer's items for a session slot by slot (the same form sent twice changes
    nothing); a cleared slot deletes its item and its history. Returns how many items were
    added, edited or deleted."""
    existing = writer_items(session, team_id, meeting_id, created_by)
    added: list[ActionItem] = []
    edited = 0
    for draft in items:
        row = existing.get(draft.slot)
        if row is None:
            row = ActionItem(
                team_id=team_id,
                pair_id=pair_id,
                meeting_id=meeting_id,
                created_by=created_by,
                slot=draft.slot,
                owner_role=draft.owner,
                text=draft.text,
                due_date=draft.due,
                status=OPEN,
                carried_count=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            added.append(row)
        elif (row.text, row.owner_role, row.due_date) != (draft.text, draft.owner, draft.due):
            row.text, row.owner_role, row.due_date, row.updated_at = (
                draft.text,
                draft.owner,
                draft.due,
                now,
            )
            edited += 1
    gone = [existing[slot].id for slot in cleared if slot in existing]
    if gone:
        session.execute(
            delete(ActionItem)
            .where(ActionItem.team_id == team_id, ActionItem.id.in_(gone))
            .execution_options(synchronize_session=False)
        )
    session.flush()
    for row in added:
        _event(session, team_id, row.id, "added", meeting_id, created_by, now)
    return len(added) + edited + len(gone)


def _event(
    session: Session,
    team_id: str,
    item_id: int,
    action: str,
    meeting_id: int | None,
    by: str,
    now: datetime,
) -> None:
    session.execute(
        insert(ActionItemEvent).values(
            team_id=team_id,
            item_id=item_id,
            action=action,
            meeting_id=meeting_id,
            by_user=by,
            at=now,
        )
    )


def get_item(session: Session, team_id: str, item_id: int) -> ActionItem | None:
    """One action item of this workspace."""
    row = session.get(ActionItem, item_id)
    return row if row is not None and row.team_id == team_id else None


def act_on_item(
    session: Session,
    *,
    team_id: str,
    item_id: int,
    action: str,
    meeting_id: int | None,
    by: str,
    now: datetime,
) -> bool:
    """Done / Carry over / Drop, once: only an open item changes, and carrying it past a session
    it was already carried past changes nothing (bot.domain.agenda.click_changes, as SQL)."""
    stmt = update(ActionItem).where(
        ActionItem.team_id == team_id, ActionItem.id == item_id, ActionItem.status == OPEN
    )
    values: dict[str, object] = {
        "last_action": action,
        "acted_meeting_id": meeting_id,
        "acted_by": by,
        "acted_at": now,
        "updated_at": now,
    }
    if action == CARRIED:
        stmt = stmt.where(
            or_(
                ActionItem.last_action.is_(None),
                ActionItem.last_action != CARRIED,
                ActionItem.acted_meeting_id.is_distinct_from(meeting_id),
            )
        )
        values["carried_count"] = ActionItem.carried_count + 1
    elif action in (DONE, DROPPED):
        values["status"] = action
    else:
        return False
    result = session.execute(stmt.values(values).execution_options(synchronize_session=False))
    if not getattr(result, "rowcount", 0):
        return False
    _event(session, team_id, item_id, action, meeting_id, by, now)
    return True


def item_history(session: Session, team_id: str, item_id: int) -> list[ActionItemEvent]:
    """What happened to an item, in order."""
    stmt = (
        select(ActionItemEvent)
        .where(ActionItemEvent.team_id == team_id, ActionItemEvent.item_id == item_id)
        .order_by(ActionItemEvent.at, ActionItemEvent.id)
    )
    return list(session.scalars(stmt))


def pair_items(
    session: Session, team_id: str, pair_id: int, *, agenda_of: int | None = None
) -> list[ActionItem]:
    """A pair's open items (and, with `agenda_of`, those acted on from that session's agenda)."""
    shown: ColumnElement[bool] = ActionItem.status == OPEN
    if agenda_of is not None:
        shown = or_(shown, ActionItem.acted_meeting_id == agenda_of)
    stmt = (
        select(ActionItem)
        .where(ActionItem.team_id == team_id, ActionItem.pair_id == pair_id, shown)
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    return list(session.scalars(stmt))


def items_for_sessions(
    session: Session, team_id: str, sessions: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[ActionItem]]:
    """`pair_items(pair, agenda_of=meeting)` for several (pair, meeting) sessions in one query."""
    if not sessions:
        return {}
    pair_ids = sorted({p for p, _ in sessions})
    meeting_ids = sorted({m for _, m in sessions})
    stmt = (
        select(ActionItem)
        .where(ActionItem.team_id == team_id, ActionItem.pair_id.in_(pair_ids))
        .where(or_(ActionItem.status == OPEN, ActionItem.acted_meeting_id.in_(meeting_ids)))
        .order_by(ActionItem.created_at, ActionItem.id)
    )
    rows = list(session.scalars(stmt))
    return {
        (p, m): [
            r for r in rows if r.pair_id == p and (r.status == OPEN or r.acted_meeting_id == m)
        ]
        for p, m in sessions
    }


def done_items(session: Session, team_id: str, pair_id: int) -> list[ActionItem]:
    """What the pair got done, in the order it was done."""
    stmt = (
        select(ActionItem)
        .where(ActionItem.team_id == team_id, ActionItem.pair_id == pair_id)
        .where(ActionItem.status == DONE)
        .order_by(ActionItem.acted_at, ActionItem.id)
    )
    return list(session.scalars(stmt))


def held_meetings(session: Session, team_id: str, pair_id: int) -> list[Meeting]:
    """A pair's held sessions, latest first."""
    stmt = (
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.pair_id == pair_id)
        .where(Meeting.status == MeetingStatus.HELD.value)
        .order_by(Meeting.scheduled_at.desc())
    )
    return list(session.scalars(stmt))


def next_session(session: Session, team_id: str, pair_id: int, now: datetime) -> Meeting | None:
    """A pair's next upcoming session after `now` (the one a new topic or a Home click is for)."""
    stmt = (
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.pair_id == pair_id)
        .where(Meeting.status == MeetingStatus.UPCOMING.value, Meeting.scheduled_at > now)
        .order_by(Meeting.scheduled_at)
        .limit(1)
    )
    return session.scalars(stmt).first()


def progress(session: Session, team_id: str, pair_id: int) -> Progress:
    """A pair's sessions in numbers: held, with notes, action items done, open, dropped."""
    held = session.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.team_id == team_id, Meeting.pair_id == pair_id)
        .where(Meeting.status == MeetingStatus.HELD.value)
    )
    with_notes = session.scalar(
        select(func.count(func.distinct(SessionNote.meeting_id))).where(
            SessionNote.team_id == team_id, SessionNote.pair_id == pair_id
        )
    )
    done, open_, dropped = session.execute(
        select(
            *(
                func.coalesce(func.sum(case((ActionItem.status == s, 1), else_=0)), 0)
                for s in (DONE, OPEN, DROPPED)
            )
        ).where(ActionItem.team_id == team_id, ActionItem.pair_id == pair_id)
    ).one()
    return Progress(int(held or 0), int(with_notes or 0), int(done), int(open_), int(dropped))


def items_per_meeting(session: Session, team_id: str, pair_id: int) -> dict[int, int]:
    """How many action items came out of each session's notes."""
    rows = session.execute(
        select(ActionItem.meeting_id, func.count())
        .where(ActionItem.team_id == team_id, ActionItem.pair_id == pair_id)
        .group_by(ActionItem.meeting_id)
    )
    return {meeting_id: int(n) for meeting_id, n in rows}
