"""A session's agenda: what the nudge shows (open action items, topics either person added, the
program's prompt), and adding a topic from the nudge or the Home tab."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.domain.agenda import NUDGE_ITEMS, ItemState, agenda_order, clean_topic, fit, text_key
from bot.people.lookup import person
from bot.sessions.access import GONE, participant_pair
from bot.sessions.data import Agenda, ItemLine, Topic
from bot.sessions.modals import TOPIC, agenda_modal, parse_agenda
from bot.sessions.refresh import refresh_nudges
from storage.agenda import add_agenda_item, agenda_items, topics_for_sessions
from storage.models import OPEN_STATUSES, Meeting, MeetingStatus, Pair
from storage.notes import items_for_sessions, next_session, pair_items
from storage.notes_models import ActionItem, AgendaItem
from storage.pairs import lock_pair

ENDED = "That mentorship has ended, so there's no next session to add to."


def owner_of(pair: Pair, role: str) -> str:
    """The user id behind an item's owner role."""
    return pair.mentor_id if role == "mentor" else pair.mentee_id


def item_line(
    row: ActionItem, pair: Pair, reader_id: str, names: Mapping[str, str], state: str
) -> ItemLine:
    """An action item as `reader_id` reads it ("you" for their own)."""
    owner = owner_of(pair, row.owner_role)
    by = row.acted_by if row.last_action else None
    return ItemLine(
        item_id=row.id,
        text=row.text,
        owner_name="you" if owner == reader_id else names.get(owner, "your partner"),
        due=row.due_date,
        carried=row.carried_count,
        state=state,
        by_name=None if by in (None, reader_id) else names.get(str(by), "your partner"),
    )


def ordered_lines(
    rows: Sequence[ActionItem],
    pair: Pair,
    reader_id: str,
    names: Mapping[str, str],
    meeting_id: int,
) -> list[ItemLine]:
    """Items in agenda order for one session (bot.domain.agenda decides what shows)."""
    by_id = {row.id: row for row in rows}
    states = [
        ItemState(r.id, r.status, r.last_action, r.acted_meeting_id, r.due_date) for r in rows
    ]
    return [
        item_line(by_id[s.item_id], pair, reader_id, names, state)
        for s, state in agenda_order(states, meeting_id)
    ]


def session_number(session: Session, pair: Pair, meeting: Meeting) -> int:
    """1 for the first session held, and so on: sessions held before this one, plus one."""
    held = session.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.team_id == pair.team_id, Meeting.pair_id == pair.id)
        .where(Meeting.status == MeetingStatus.HELD.value)
        .where(Meeting.scheduled_at < meeting.scheduled_at)
    )
    return int(held or 0) + 1


def session_prompt(session: Session, pair: Pair, number: int) -> str | None:
    """The program's prompt for a pair's session `number`: the hook for programs (another
    branch). A pair that is in no program has none, and in this branch no pair has a program,
    so this is None; the programs feature answers from its session guide here."""
    return None


@dataclass(frozen=True)
class SessionRows:
    """What one session's agenda is built from, read ahead for several (`agenda_rows`)."""

    items: Sequence[ActionItem]
    topics: Sequence[AgendaItem]
    held_before: int  # sessions of the pair held before this one


def agenda_rows(
    session: Session,
    team_id: str,
    sessions: Sequence[tuple[int, int]],
    held_before: Mapping[int, int],
) -> dict[tuple[int, int], SessionRows]:
    """The rows of several (pair id, meeting id) sessions' agendas, in two queries; `held_before`
    by meeting id (storage.meetings.meetings_before)."""
    items = items_for_sessions(session, team_id, sessions)
    topics = topics_for_sessions(session, team_id, sessions)
    return {
        key: SessionRows(items[key], topics[key], held_before.get(key[1], 0)) for key in sessions
    }


def agenda_for(
    session: Session,
    pair: Pair,
    meeting: Meeting,
    reader_id: str,
    names: Mapping[str, str],
    rows: SessionRows | None = None,
) -> Agenda:
    """The agenda of `meeting` as `reader_id` sees it; `names` maps both user ids to names.
    `rows`: what `agenda_rows` read ahead for it; None reads it here."""
    if rows is None:
        rows = SessionRows(
            pair_items(session, pair.team_id, pair.id, agenda_of=meeting.id),
            agenda_items(session, pair.team_id, pair.id, meeting.id),
            session_number(session, pair, meeting) - 1,
        )
    lines = ordered_lines(rows.items, pair, reader_id, names, meeting.id)
    shown, more = fit(lines, NUDGE_ITEMS)
    topics = tuple(
        Topic(t.text, "you" if t.author_id == reader_id else names.get(t.author_id, "?"))
        for t in rows.topics
    )
    number = rows.held_before + 1
    return Agenda(
        pair_id=pair.id,
        meeting_id=meeting.id,
        session_number=number,
        topics=topics,
        items=tuple(shown),
        more=more,
        prompt=session_prompt(session, pair, number),
    )


def open_agenda_modal(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_pair_id: Any,
    trigger_id: str,
) -> str | None:
    """➕ Add to agenda: the one-topic form, for one of the pair's two people; else a refusal."""
    found = participant_pair(services, team_id, user_id, raw_pair_id)
    if isinstance(found, str):
        return found
    if found.status not in OPEN_STATUSES:
        return ENDED
    partner = person(services, client, team_id, found.partner_of(user_id))
    client.views_open(trigger_id=trigger_id, view=agenda_modal(found.id, partner.name))
    return None


@dataclass(frozen=True)
class Added:
    """A topic stored for a pair's next session."""

    team_id: str
    pair_id: int
    meeting_id: int | None  # the next session, whose sent nudges show it at once
    new: bool = True  # False: the same person's same topic was already waiting


def add_to_agenda(
    services: Services, team_id: str, user_id: str, view: Mapping[str, Any]
) -> Added | dict[str, str]:
    """Store the submitted topic (once, however often it is sent), or the field error."""
    raw_pair_id, typed = parse_agenda(view)
    topic, problem = clean_topic(typed)
    if problem:
        return {TOPIC: problem}
    found = participant_pair(services, team_id, user_id, raw_pair_id)
    if isinstance(found, str):
        return {TOPIC: found}
    if found.status not in OPEN_STATUSES:
        return {TOPIC: ENDED}
    now = services.clock.now()
    with services.sessions.begin() as session:
        if lock_pair(session, team_id, found.id) is None:
            return {TOPIC: GONE}
        new = add_agenda_item(
            session,
            team_id=team_id,
            pair_id=found.id,
            author_id=user_id,
            text=topic,
            text_key=text_key(topic),
            now=now,
        )
        upcoming = next_session(session, team_id, found.id, now)
    return Added(team_id, found.id, upcoming.id if upcoming else None, new)


def show_added(services: Services, client: WebClient, added: Added) -> None:
    """After Slack's answer: nudges already sent for the next session show the topic at once."""
    if added.new:
        refresh_nudges(services, client, added.team_id, added.pair_id, added.meeting_id)
