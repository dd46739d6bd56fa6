"""Answers to a meeting: We met, Skip, Reschedule. Each is recorded once for the pair.

Once a meeting has an answer, every sent nudge and follow-up about it shows the answer: either
person can answer for both with one click, and the other one's messages (and the clicker's other
message about the same meeting) would otherwise keep buttons that no longer do anything. Each is
rebuilt as it was sent, from the data now, with its buttons replaced by the answer line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy import select

from bot.core.payload import parse_id
from bot.core.services import Services
from bot.delivery.notices import notice
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Reading
from bot.domain.schedule import resolve_local
from bot.domain.timefmt import is_valid_timezone
from bot.domain.timing import notice_due
from bot.meetings import messages as meeting_messages
from bot.meetings.modal import build_reschedule_modal, parse_reschedule
from bot.meetings.planning import meeting_deliveries
from bot.meetings.render import meeting_facts
from bot.people.lookup import person
from storage import keys
from storage.agenda import cover_agenda
from storage.meetings import answer_meeting, get_meeting, reschedule_meeting
from storage.models import Delivery, DeliveryKind, DeliveryStatus, Meeting, MeetingStatus, Pair
from storage.outbox import add_deliveries, cancel_for_meeting
from storage.pairs import bump_schedule_version, get_pair
from storage.people import zones_for

log = logging.getLogger(__name__)
NOT_YOURS = "That meeting belongs to someone else's mentorship, so I left it alone."
Message = tuple[str, str]  # (channel, ts) of a sent message


def show_answer_everywhere(
    services: Services,
    client: WebClient,
    pair: Pair,
    meeting: Meeting,
    status: str,
    by_user: str,
    *,
    except_message: Message | None = None,
) -> int:
    """Replace the buttons of each sent nudge and follow-up for `meeting` (as it was before the
    answer) with the answer line; `except_message` (channel, ts) is the one already updated.
    Return how many messages were updated."""
    cache_only = RefreshBudget(per_minute=0, burst=0)  # names and zones as cached: no Slack calls
    with services.sessions() as session:
        rows = session.scalars(
            select(Delivery).where(
                Delivery.team_id == pair.team_id,
                Delivery.pair_id == pair.id,
                Delivery.status == DeliveryStatus.SENT,
                Delivery.channel.is_not(None),
                Delivery.ts.is_not(None),
                keys.of_meeting(meeting.id),
            )
        ).all()
        rows = [r for r in rows if (r.channel, r.ts) != except_message]
        if not rows:
            return 0
        reading = Reading(services, session, cache_only)
        facts = {
            r.recipient_id: meeting_facts(reading, pair, meeting, r.recipient_id) for r in rows
        }
        by_name = reading.person(pair.team_id, by_user).name
    updated = 0
    for row in rows:
        seen = facts[row.recipient_id]
        build = (
            meeting_messages.nudge if row.kind == DeliveryKind.NUDGE else meeting_messages.followup
        )
        _, blocks = build(seen)
        line = meeting_messages.answered(
            status,
            meeting.scheduled_at,
            seen.reader_tz,
            None if row.recipient_id == by_user else by_name,
        )
        original = [b.to_dict() for b in blocks]
        offer = meeting_messages.after_answer(
            status, meeting.id, meeting.scheduled_at, seen.reader_tz
        )
        try:
            client.chat_update(
                channel=str(row.channel),
                ts=str(row.ts),
                text=line,
                blocks=meeting_messages.answered_blocks(line, original, offer),
            )
            updated += 1
        except SlackApiError as exc:  # an old message may be gone; the answer is stored anyway
            log.info("could not update message %s: %s", row.ts, exc.response.get("error"))
    return updated


def load_meeting(
    services: Services, team_id: str, raw: Any, user_id: str
) -> tuple[Pair, Meeting] | str:
    """The meeting a button points at, if the acting user takes part in it; else a message."""
    meeting_id = parse_id(raw)
    if meeting_id is None:
        return "I couldn't tell which meeting that was."
    with services.sessions() as session:
        meeting = get_meeting(session, team_id, meeting_id)
        pair = get_pair(session, team_id, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return "I can't find that meeting any more."
    if pair.role_of(user_id) is None:
        return NOT_YOURS
    return pair, meeting


def replace_buttons(
    client: WebClient,
    message: Message,
    text: str,
    blocks: list[Any],
    offer: Sequence[Block] = (),
) -> None:
    """Show the answer (and what it offers next) instead of the buttons in the clicked message."""
    channel, ts = message
    try:
        client.chat_update(
            channel=channel,
            ts=ts,
            text=text,
            blocks=meeting_messages.answered_blocks(text, blocks, offer),
        )
    except SlackApiError as exc:
        log.warning("could not update the nudge message: %s", exc.response.get("error"))


def answer(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_meeting_id: Any,
    status: str,
    clicked: Message | None,
    clicked_blocks: list[Any],
) -> str | None:
    """✅ We met / ⏭ Skip: record the answer once for the pair and show it on every message
    about the meeting; a second click shows who recorded what. A refusal, or None."""
    found = load_meeting(services, team_id, raw_meeting_id, user_id)
    if isinstance(found, str):
        return found
    pair, meeting = found
    with services.sessions.begin() as session:
        recorded = answer_meeting(session, meeting.id, status, user_id, services.clock.now())
        if recorded:
            cancel_for_meeting(session, team_id, pair.id, meeting.id, f"meeting {status}")
        if recorded and status == MeetingStatus.HELD:  # its topics were talked about
            cover_agenda(session, team_id, pair.id, meeting.id, before=meeting.scheduled_at)
        if recorded and status == MeetingStatus.SKIPPED:
            bump_schedule_version(session, team_id, pair.id)  # an EXDATE in the calendar file
    tz = person(services, client, team_id, user_id).tz or pair.tz
    final = status
    if recorded:
        text = meeting_messages.answered(status, meeting.scheduled_at, tz, None)
    else:
        with services.sessions() as session:
            current = get_meeting(session, team_id, meeting.id)
        assert current is not None
        by, final = current.answered_by, current.status
        who = person(services, client, team_id, by).name if by and by != user_id else None
        text = meeting_messages.answered(current.status, current.scheduled_at, tz, who)
    if clicked is not None:
        offer = meeting_messages.after_answer(final, meeting.id, meeting.scheduled_at, tz)
        replace_buttons(client, clicked, text, clicked_blocks, offer)
    if recorded:
        show_answer_everywhere(
            services, client, pair, meeting, status, user_id, except_message=clicked
        )
    return None


def open_reschedule(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_meeting_id: Any,
    trigger_id: str,
    origin: Message | None,
) -> str | None:
    """📅 Reschedule: the modal with the meeting's time in the clicker's zone; else a refusal."""
    found = load_meeting(services, team_id, raw_meeting_id, user_id)
    if isinstance(found, str):
        return found
    pair, meeting = found
    if meeting.status != MeetingStatus.UPCOMING:
        return "That meeting already has an answer, so there's nothing to move."
    me = person(services, client, team_id, user_id)
    partner = person(services, client, team_id, pair.partner_of(user_id))
    channel, ts = origin or ("", "")
    view = build_reschedule_modal(
        meeting_id=meeting.id,
        at=meeting.scheduled_at,
        reader_tz=me.tz or pair.tz,
        partner_name=partner.name,
        origin={"channel": channel, "ts": ts},
    )
    client.views_open(trigger_id=trigger_id, view=view)
    return None


@dataclass(frozen=True)
class Moved:
    """A meeting moved by a reschedule: what the clicked nudge and the others now show."""

    pair: Pair
    meeting: Meeting
    tz: str
    origin: Message | None


def reschedule(
    services: Services, client: WebClient, team_id: str, user_id: str, view: dict[str, Any]
) -> Moved | dict[str, str]:
    """Move one meeting (the series continues from the plan): plan the moved meeting's messages
    and a note to both; or the field errors to show."""
    metadata, new_date, new_time = parse_reschedule(view)
    tz = str(metadata.get("tz") or "UTC")
    if new_date is None or new_time is None or not is_valid_timezone(tz):
        return {"new_date": "Pick a date and a time."}
    if new_date > services.clock.now().date() + timedelta(days=366):
        return {"new_date": "Pick a date within the next year."}  # and inside the calendar
    found = load_meeting(services, team_id, metadata.get("meeting_id"), user_id)
    if isinstance(found, str):
        return {"new_date": found}
    pair, meeting = found
    new_at = resolve_local(new_date, new_time, tz).astimezone(meeting.scheduled_at.tzinfo)
    now = services.clock.now()
    if new_at <= now:
        return {"new_time": "That time has passed — pick a later one."}
    if new_at == meeting.scheduled_at:
        return {"new_time": "That's the time it already has."}
    # Before the write transaction: a stale cache entry is refreshed with a write of its own,
    # which on SQLite would wait for this transaction's lock and fail with "database is locked".
    me = person(services, client, team_id, user_id)
    partner = person(services, client, team_id, pair.partner_of(user_id))
    with services.sessions.begin() as session:
        moved = reschedule_meeting(session, meeting, new_at, user_id, now)
        if moved is None:
            return {"new_date": "This meeting already has an answer."}
        cancel_for_meeting(session, team_id, pair.id, meeting.id, "meeting rescheduled")
        bump_schedule_version(session, team_id, pair.id)  # an override in the calendar file
        zones = zones_for(session, pair)
        lead = timedelta(hours=services.config.scheduler.nudge_lead_hours)
        rows = meeting_deliveries(pair, moved, zones, lead, now)
        for reader in (pair.mentee_id, pair.mentor_id):
            reader_tz = zones.get(reader, pair.tz)
            text = meeting_messages.rescheduled_note(
                new_at, reader_tz, me.name if reader != user_id else "You"
            )[0]
            # The partner hears about it in their day, not at 02:00.
            due = now if reader == user_id else notice_due(now, reader_tz, new_at)
            other = partner.name if reader == user_id else me.name
            offer = meeting_messages.with_calendar_update(text, pair.id, other)
            key = keys.moved(moved.id, reader)
            rows.append(notice(team_id, reader, key, text, due, pair.id, offer))
        add_deliveries(session, rows, now)
    origin = None
    if metadata.get("channel") and metadata.get("ts"):
        origin = (str(metadata["channel"]), str(metadata["ts"]))
    return Moved(pair, meeting, tz, origin)


def show_moved(services: Services, client: WebClient, user_id: str, moved: Moved) -> None:
    """After Slack's answer: the clicked nudge and every other message show the move."""
    if moved.origin is not None:
        text = meeting_messages.answered("rescheduled", moved.meeting.scheduled_at, moved.tz, None)
        replace_buttons(client, moved.origin, text, [])
    services.waker()
    show_answer_everywhere(
        services,
        client,
        moved.pair,
        moved.meeting,
        "rescheduled",
        user_id,
        except_message=moved.origin,
    )
