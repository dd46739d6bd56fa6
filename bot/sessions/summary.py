"""A pair's sessions as the milestones quote them: counts (for checkpoints and the final review)
and what was done (for the journey each of the two receives privately)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.domain.agenda import Progress
from bot.sessions.agenda import owner_of
from storage.models import Pair
from storage.notes import done_items, progress


def progress_of(session: Session, pair: Pair) -> Progress:
    """Sessions held and with notes, action items done, open and dropped: numbers only."""
    return progress(session, pair.team_id, pair.id)


def got_done(
    session: Session, pair: Pair, reader_id: str, names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(item, whose: "you" or the partner's name) for each action item done, in order."""
    return [
        (
            row.text,
            "you"
            if owner_of(pair, row.owner_role) == reader_id
            else names.get(owner_of(pair, row.owner_role), "?"),
        )
        for row in done_items(session, pair.team_id, pair.id)
    ]
