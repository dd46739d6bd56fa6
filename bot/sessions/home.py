"""A pair's sessions on a participant's Home card, read from the database (bot/sessions/
home_blocks.py draws it). Only one of the two people gets a card with text in it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from bot.domain.agenda import Progress
from bot.sessions.agenda import ordered_lines
from bot.sessions.data import LastSession, NoteLine, SessionsCard
from storage.models import OPEN_STATUSES, Meeting, Pair
from storage.notes import held_meetings, notes_of, pair_items, progress, visible
from storage.notes_batch import last_held_of, open_items_of, progress_of
from storage.notes_models import ActionItem, NoteVisibility, SessionNote

NO_SESSION = 0  # "no session's agenda": every open item shows as open


def _card(
    pair: Pair,
    reader_id: str,
    names: Mapping[str, str],
    reader_tz: str,
    items: Sequence[ActionItem],
    last_held: Meeting | None,
    notes: Sequence[SessionNote],
    counts: Progress,
) -> SessionsCard:
    if pair.role_of(reader_id) is None:
        raise ValueError("a sessions card is only for one of the pair's two people")
    lines = ordered_lines(items, pair, reader_id, names, NO_SESSION)
    last = None
    if last_held is not None:
        mine = [n for n in notes if visible(n, reader_id)]
        mine.sort(key=lambda n: (n.author_id == reader_id, n.visibility == NoteVisibility.PRIVATE))
        last = LastSession(
            meeting_id=last_held.id,
            at=last_held.scheduled_at,
            notes=tuple(
                NoteLine(
                    author_name="You" if n.author_id == reader_id else names.get(n.author_id, "?"),
                    text=n.text,
                    private=n.visibility == NoteVisibility.PRIVATE,
                )
                for n in mine
            ),
        )
    return SessionsCard(
        pair_id=pair.id,
        reader_tz=reader_tz,
        items=tuple(lines),
        more=0,
        last=last,
        progress=counts,
        can_add=pair.status in OPEN_STATUSES,
    )


def sessions_card(
    session: Session, pair: Pair, reader_id: str, names: Mapping[str, str], reader_tz: str
) -> SessionsCard:
    """Open action items, the last held session with the notes `reader_id` may read (their
    partner's shared note, their own shared and private ones), and the pair's counts."""
    if pair.role_of(reader_id) is None:
        raise ValueError("a sessions card is only for one of the pair's two people")
    held = held_meetings(session, pair.team_id, pair.id)
    last = held[0] if held else None
    notes = notes_of(session, pair.team_id, [last.id]) if last else []
    items = pair_items(session, pair.team_id, pair.id)
    counts = progress(session, pair.team_id, pair.id)
    return _card(pair, reader_id, names, reader_tz, items, last, notes, counts)


def sessions_cards(
    session: Session,
    team_id: str,
    pairs: Sequence[Pair],
    reader_id: str,
    names: Mapping[int, Mapping[str, str]],
    reader_tz: Mapping[int, str],
) -> dict[int, SessionsCard]:
    """`sessions_card` of each of one person's pairs, in five queries however many pairs
    (`names` and `reader_tz` per pair id)."""
    ids = [p.id for p in pairs]
    last = last_held_of(session, team_id, ids)
    notes: dict[int, list[SessionNote]] = {}
    for note in notes_of(session, team_id, [m.id for m in last.values()]):
        notes.setdefault(note.meeting_id, []).append(note)
    items = open_items_of(session, team_id, ids)
    counts = progress_of(session, team_id, ids)
    return {
        p.id: _card(
            p,
            reader_id,
            names[p.id],
            reader_tz[p.id],
            items[p.id],
            last.get(p.id),
            notes.get(last[p.id].id, []) if p.id in last else [],
            counts[p.id],
        )
        for p in pairs
    }
