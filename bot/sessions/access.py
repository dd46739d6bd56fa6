"""Who may touch a pair's sessions: its two people, in its workspace, and nobody else.

Program admins see counts only (the report, the Home overview), so unlike a pair's plan they may
not open notes, add topics or tick items. Every check starts from the user and team of Slack's
signed payload; an id in a button or a view's metadata only says *which* pair or session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.payload import parse_id
from bot.core.services import Services
from storage.meetings import get_meeting
from storage.models import Meeting, Pair
from storage.pairs import get_pair

NOT_YOURS = "That belongs to someone else's mentorship, so I left it alone."
GONE = "I can't find that any more — it may have been removed."


@dataclass(frozen=True)
class Outcome:
    """What a sessions action did: a refusal to show the person, or the people whose Home tabs
    now differ."""

    refusal: str | None = None
    people: Sequence[str] = field(default=())


def participant_pair(services: Services, team_id: str, user_id: str, raw_id: Any) -> Pair | str:
    """The pair `raw_id` names, if the acting user is one of its two people; else a refusal."""
    pair_id = parse_id(raw_id)
    if pair_id is None:
        return GONE
    with services.sessions() as session:
        pair = get_pair(session, team_id, pair_id)
    if pair is None:
        return GONE
    return pair if pair.role_of(user_id) else NOT_YOURS


def participant_meeting(
    services: Services, team_id: str, user_id: str, raw_id: Any
) -> tuple[Pair, Meeting] | str:
    """The session `raw_id` names and its pair, if the acting user is one of the two."""
    meeting_id = parse_id(raw_id)
    if meeting_id is None:
        return GONE
    with services.sessions() as session:
        meeting = get_meeting(session, team_id, meeting_id)
        pair = get_pair(session, team_id, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return GONE
    return (pair, meeting) if pair.role_of(user_id) else NOT_YOURS
