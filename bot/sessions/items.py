"""✅ Done, ↪ Carry over and 🗑 Drop on an action item: one click by either of the two, recorded
once, and shown at once on both people's nudges for that session and on their Home tabs."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.domain.agenda import CARRIED
from bot.sessions.access import GONE, NOT_YOURS, Outcome
from bot.sessions.messages import ITEM_ACTIONS
from bot.sessions.refresh import refresh_nudges
from storage.meetings import get_meeting
from storage.notes import act_on_item as record
from storage.notes import get_item, next_session
from storage.pairs import get_pair, lock_pair

NO_NEXT = "There's no next session to carry it to — mark it done or drop it instead."


def _parse(raw: Any) -> tuple[int | None, int | None]:
    """(item id, session id or None) from a button value "item:session"."""
    item, _, meeting = str(raw or "").partition(":")
    return parse_id(item), parse_id(meeting)


def act_on_item(
    services: Services, client: WebClient, team_id: str, user_id: str, action_id: str, raw: Any
) -> Outcome:
    """Do what the button says to the item it names, if the clicker is one of the pair's two
    people; the session is the one whose agenda was clicked (from the Home tab: the next one)."""
    action = ITEM_ACTIONS.get(action_id)
    item_id, meeting_id = _parse(raw)
    if action is None or item_id is None:
        return Outcome(GONE)
    now = services.clock.now()
    with services.sessions() as session:
        item = get_item(session, team_id, item_id)
        pair = get_pair(session, team_id, item.pair_id) if item else None
        if item is None or pair is None:
            return Outcome(GONE)
        if pair.role_of(user_id) is None:
            return Outcome(NOT_YOURS)
        meeting = get_meeting(session, team_id, meeting_id) if meeting_id else None
        if meeting is not None and meeting.pair_id != pair.id:
            return Outcome(NOT_YOURS)
        if meeting is None:
            meeting = next_session(session, team_id, pair.id, now)
    if action == CARRIED and meeting is None:
        return Outcome(NO_NEXT)
    context = meeting.id if meeting else None
    with services.sessions.begin() as session:
        if lock_pair(session, team_id, pair.id) is None:
            return Outcome(GONE)
        changed = record(
            session,
            team_id=team_id,
            item_id=item_id,
            action=action,
            meeting_id=context,
            by=user_id,
            now=now,
        )
    refresh_nudges(services, client, team_id, pair.id, context)
    return Outcome(people=(pair.mentee_id, pair.mentor_id) if changed else ())
