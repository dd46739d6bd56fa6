"""A pair's sessions on a participant's Home card, read from the database (bot/sessions/
home_blocks.py draws it). Only one of the two people gets a card with text in it."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.sessions.agenda import ordered_lines
from bot.sessions.data import LastSession, NoteLine, SessionsCard
from storage.models import OPEN_STATUSES, Pair
from storage.notes import held_meetings, notes_of, pair_items, progress, visible
from storage.notes_models import NoteVisibility

NO_SESSION = 0  # "no session's agenda": every open item shows as open


def sessions_card(
    session: Session, pair: Pair, reader_id: str, names: Mapping[str, str], reader_tz: str
) -> SessionsCard:
    """Open action items, the last held session with the notes `reader_id` may read (their
    partner's shared note, their own shared and private ones), and the pair's counts."""
    if pair.role_of(reader_id) is None:
        raise ValueError("a sessions card is only for one of the pair's two people")
    rows = pair_items(session, pair.team_id, pair.id)
    lines = ordered_lines(rows, pair, reader_id, names, NO_SESSION)
    held = held_meetings(session, pair.team_id, pair.id)
    last = None
    if held:
        notes = [n for n in notes_of(session, pair.team_id, [held[0].id]) if visible(n, reader_id)]
        notes.sort(key=lambda n: (n.author_id == reader_id, n.visibility == NoteVisibility.PRIVATE))
        last = LastSession(
            meeting_id=held[0].id,
            at=held[0].scheduled_at,
            notes=tuple(
                NoteLine(
                    author_name="You" if n.author_id == reader_id else names.get(n.author_id, "?"),
                    text=n.text,
                    private=n.visibility == NoteVisibility.PRIVATE,
                )
                for n in notes
            ),
        )
    return SessionsCard(
        pair_id=pair.id,
        reader_tz=reader_tz,
        items=tuple(lines),
        more=0,
        last=last,
        progress=progress(session, pair.team_id, pair.id),
        can_add=pair.status in OPEN_STATUSES,
    )
