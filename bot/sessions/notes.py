"""A held session's notes: the modal (from "We met" or the Home tab), storing it, and the note to
the partner. Shared notes and action items are for the two people; a private note for its writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.core.services import Services
from bot.domain.agenda import CleanNotes, ItemDraft, validate_notes
from bot.domain.timefmt import format_local
from bot.people.lookup import person
from bot.sessions.access import GONE, participant_meeting
from bot.sessions.modals import SHARED, NotesPrefill, notes_modal, parse_notes
from bot.sessions.refresh import refresh_notes_messages, refresh_nudges
from storage import keys
from storage.models import DeliveryKind, Meeting, MeetingStatus, Pair
from storage.notes import next_session, notes_of, save_items, save_note, writer_items
from storage.notes_models import NoteVisibility
from storage.outbox import NewDelivery, add_deliveries
from storage.pairs import lock_pair
from storage.people import zones_for

NOT_HELD = "Notes are for sessions you held — this one wasn't marked as held."


def session_day(at: datetime, tz: str) -> str:
    """ "Tue 9 Mar" in the reader's zone."""
    return format_local(at, tz).split(" at ")[0]


def _prefill(services: Services, team_id: str, meeting_id: int, user_id: str) -> NotesPrefill:
    with services.sessions() as session:
        mine = [n for n in notes_of(session, team_id, [meeting_id]) if n.author_id == user_id]
        items = writer_items(session, team_id, meeting_id, user_id)
    text = {n.visibility: n.text for n in mine}
    return NotesPrefill(
        shared=text.get(NoteVisibility.SHARED, ""),
        private=text.get(NoteVisibility.PRIVATE, ""),
        items={
            slot: ItemDraft(slot, row.text, row.owner_role, row.due_date)
            for slot, row in items.items()
        },
    )


def open_notes_modal(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_meeting_id: Any,
    trigger_id: str,
) -> str | None:
    """📝 Add notes: the notes form for a held session, prefilled with what this person wrote
    before; only for the pair's two people. A refusal, or None."""
    found = participant_meeting(services, team_id, user_id, raw_meeting_id)
    if isinstance(found, str):
        return found
    pair, meeting = found
    if meeting.status != MeetingStatus.HELD:
        return NOT_HELD
    me = person(services, client, team_id, user_id)
    partner = person(services, client, team_id, pair.partner_of(user_id))
    by_id = {me.user_id: me.name, partner.user_id: partner.name}
    names = {"mentee": by_id[pair.mentee_id], "mentor": by_id[pair.mentor_id]}
    view = notes_modal(
        meeting.id,
        session_day(meeting.scheduled_at, me.tz or pair.tz),
        partner.name,
        names,
        _prefill(services, team_id, meeting.id, user_id),
    )
    client.views_open(trigger_id=trigger_id, view=view)
    return None


@dataclass(frozen=True)
class Saved:
    """Notes stored for a session: what to show again, and whose Home tabs changed."""

    team_id: str
    pair_id: int
    meeting_id: int
    next_meeting_id: int | None
    people: tuple[str, ...] = field(default=())  # empty: nothing changed


def _tell_partner(
    pair: Pair, meeting: Meeting, author_id: str, clean: CleanNotes, now: datetime
) -> list[NewDelivery]:
    """One note to the partner per writer and session, when something is shared with them."""
    if not clean.shared and not clean.items:
        return []
    reader = pair.partner_of(author_id)
    return [
        NewDelivery(
            team_id=pair.team_id,
            kind=DeliveryKind.SESSION_NOTES,
            recipient_id=reader,
            occurrence_key=keys.session_notes(meeting.id, author_id, reader),
            due_at=now,
            pair_id=pair.id,
            payload={"meeting_id": meeting.id, "author_id": author_id},
        )
    ]


def submit_notes(
    services: Services, team_id: str, user_id: str, view: dict[str, Any]
) -> Saved | dict[str, str]:
    """Store the submitted notes (the same form sent twice stores them once; emptied fields
    delete what they held), or the field errors with nothing stored."""
    raw_meeting_id, form = parse_notes(view)
    found = participant_meeting(services, team_id, user_id, raw_meeting_id)
    if isinstance(found, str):
        return {SHARED: found}
    pair, meeting = found
    if meeting.status != MeetingStatus.HELD:
        return {SHARED: NOT_HELD}
    now = services.clock.now()
    with services.sessions() as session:
        kept = {
            s: r.due_date for s, r in writer_items(session, team_id, meeting.id, user_id).items()
        }
        tz = zones_for(session, pair).get(user_id, pair.tz)
    clean = validate_notes(form, now.astimezone(ZoneInfo(tz)).date(), kept)
    if isinstance(clean, dict):
        return clean
    with services.sessions.begin() as session:
        if lock_pair(session, team_id, pair.id) is None:
            return {SHARED: GONE}
        changed = 0
        for visibility, text in (
            (NoteVisibility.SHARED, clean.shared),
            (NoteVisibility.PRIVATE, clean.private),
        ):
            changed += save_note(
                session,
                team_id=team_id,
                pair_id=pair.id,
                meeting_id=meeting.id,
                author_id=user_id,
                visibility=visibility.value,
                text=text,
                now=now,
            )
        changed += save_items(
            session,
            team_id=team_id,
            pair_id=pair.id,
            meeting_id=meeting.id,
            created_by=user_id,
            items=clean.items,
            cleared=clean.cleared,
            now=now,
        )
        add_deliveries(session, _tell_partner(pair, meeting, user_id, clean, now), now)
        upcoming = next_session(session, team_id, pair.id, now)
    return Saved(
        team_id,
        pair.id,
        meeting.id,
        upcoming.id if upcoming else None,
        (pair.mentee_id, pair.mentor_id) if changed else (),
    )


def show_saved(services: Services, client: WebClient, saved: Saved) -> None:
    """After Slack's answer: the partner's note goes out, and messages already sent (the next
    session's nudges, earlier notes messages) show the items as they are now. Nothing when
    the form changed nothing (sent twice, or saved untouched)."""
    if not saved.people:
        return
    services.waker(plan=False)  # nothing to plan: send it now
    refresh_notes_messages(services, client, saved.team_id, saved.pair_id, saved.meeting_id)
    refresh_nudges(services, client, saved.team_id, saved.pair_id, saved.next_meeting_id)
