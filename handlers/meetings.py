"""Answers to meeting nudges: We met, Skip, Reschedule (a modal), each for the whole pair."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.services import Services, services_of
from bot.domain.schedule import resolve_local
from bot.domain.timefmt import is_valid_timezone
from bot.domain.timing import notice_due
from bot.meetings import messages as meeting_messages
from bot.meetings.answers import show_answer_everywhere
from bot.meetings.messages import MET, RESCHEDULE, SKIP
from bot.meetings.modal import CALLBACK_ID, build_reschedule_modal, parse_reschedule
from bot.pairs.access import reply_privately
from bot.pairs.planner import meeting_deliveries
from bot.people.lookup import lookup_person
from storage.meetings import answer_meeting, get_meeting, reschedule_meeting
from storage.models import Meeting, Pair
from storage.outbox import NewDelivery, add_deliveries, cancel_for_meeting
from storage.pairs import get_pair
from storage.people import zones_for

log = logging.getLogger(__name__)
NOT_YOURS = "That meeting belongs to someone else's mentorship, so I left it alone."


def _load(services: Services, team_id: str, raw: Any, user_id: str) -> tuple[Pair, Meeting] | str:
    """The meeting a button points at, if the acting user takes part in it; else a message."""
    try:
        meeting_id = int(raw)
    except (TypeError, ValueError):
        return "I couldn't tell which meeting that was."
    with services.sessions() as session:
        meeting = get_meeting(session, team_id, meeting_id)
        pair = get_pair(session, team_id, meeting.pair_id) if meeting else None
    if meeting is None or pair is None:
        return "I can't find that meeting any more."
    if pair.role_of(user_id) is None:
        return NOT_YOURS
    return pair, meeting


def _clicked(body: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return (str(channel), str(ts)) if channel and ts else None


def _replace_buttons(client: WebClient, body: dict[str, Any], text: str) -> None:
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts") or message.get("ts")
    if not channel or not ts:
        return
    blocks = meeting_messages.answered_blocks(text, message.get("blocks") or [])
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("could not update the nudge message: %s", exc.response.get("error"))


def on_meeting_answer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """✅ We met / ⏭ Skip: record the answer once for the pair and replace the buttons."""
    ack()
    services = services_of(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    found = _load(services, team_id, action.get("value"), user_id)
    if isinstance(found, str):
        reply_privately(respond, found)
        return
    pair, meeting = found
    status = "held" if action["action_id"] == MET else "skipped"
    with services.sessions.begin() as session:
        recorded = answer_meeting(session, meeting.id, status, user_id, services.clock.now())
        if recorded:
            cancel_for_meeting(session, team_id, meeting.id, f"meeting {status}")
    me = lookup_person(services, client, team_id, user_id)
    tz = me.tz or pair.tz
    if recorded:
        text = meeting_messages.answered(status, meeting.scheduled_at, tz, None)
        _replace_buttons(client, body, text)
        show_answer_everywhere(
            services, client, pair, meeting, status, user_id, except_message=_clicked(body)
        )
        return
    with services.sessions() as session:
        current = get_meeting(session, team_id, meeting.id)
    assert current is not None
    by = current.answered_by
    who = lookup_person(services, client, team_id, by).name if by and by != user_id else None
    text = meeting_messages.answered(current.status, current.scheduled_at, tz, who)
    _replace_buttons(client, body, text)


def on_reschedule_clicked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    """📅 Reschedule: open a modal with the meeting's time in the clicker's zone."""
    ack()
    services = services_of(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    found = _load(services, team_id, action.get("value"), user_id)
    if isinstance(found, str):
        reply_privately(respond, found)
        return
    pair, meeting = found
    if meeting.status != "upcoming":
        reply_privately(respond, "That meeting already has an answer, so there's nothing to move.")
        return
    me = lookup_person(services, client, team_id, user_id)
    partner = lookup_person(services, client, team_id, pair.partner_of(user_id))
    container = body.get("container") or {}
    origin = {
        "channel": str(container.get("channel_id") or ""),
        "ts": str(container.get("message_ts") or ""),
    }
    view = build_reschedule_modal(
        meeting_id=meeting.id,
        at=meeting.scheduled_at,
        reader_tz=me.tz or pair.tz,
        partner_name=partner.name,
        origin=origin,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_reschedule_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Move one meeting; the series continues from the plan."""
    services = services_of(context)
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    metadata, new_date, new_time = parse_reschedule(view)
    tz = str(metadata.get("tz") or "UTC")
    if new_date is None or new_time is None or not is_valid_timezone(tz):
        ack(response_action="errors", errors={"new_date": "Pick a date and a time."})
        return
    found = _load(services, team_id, metadata.get("meeting_id"), user_id)
    if isinstance(found, str):
        ack(response_action="errors", errors={"new_date": found})
        return
    pair, meeting = found
    new_at = resolve_local(new_date, new_time, tz).astimezone(meeting.scheduled_at.tzinfo)
    now = services.clock.now()
    if new_at <= now:
        ack(
            response_action="errors",
            errors={"new_time": "That time has passed — pick a later one."},
        )
        return
    if new_at == meeting.scheduled_at:
        ack(response_action="errors", errors={"new_time": "That's the time it already has."})
        return
    # Before the write transaction: a stale cache entry is refreshed with a write of its own,
    # which on SQLite would wait for this transaction's lock and fail with "database is locked".
    me = lookup_person(services, client, team_id, user_id)
    with services.sessions.begin() as session:
        moved = reschedule_meeting(session, meeting, new_at, user_id, now)
        if moved is None:
            ack(
                response_action="errors", errors={"new_date": "This meeting already has an answer."}
            )
            return
        cancel_for_meeting(session, team_id, meeting.id, "meeting rescheduled")
        lead = timedelta(hours=services.config.scheduler.nudge_lead_hours)
        rows = meeting_deliveries(pair, moved, zones_for(session, pair), lead, now)
        for reader in (pair.mentee_id, pair.mentor_id):
            reader_tz = zones_for(session, pair).get(reader, pair.tz)
            text, _ = meeting_messages.rescheduled_note(
                new_at, reader_tz, me.name if reader != user_id else "You"
            )
            rows.append(
                NewDelivery(
                    team_id=team_id,
                    kind="notice",
                    recipient_id=reader,
                    occurrence_key=f"moved:{moved.id}:{reader}",
                    # The partner hears about it in their day, not at 02:00.
                    due_at=now if reader == user_id else notice_due(now, reader_tz, new_at),
                    pair_id=pair.id,
                    payload={"text": text},
                )
            )
        add_deliveries(session, rows, now)
    ack()
    origin = None
    if metadata.get("channel") and metadata.get("ts"):
        origin = (str(metadata["channel"]), str(metadata["ts"]))
        text = meeting_messages.answered("rescheduled", meeting.scheduled_at, tz, None)
        _replace_buttons(
            client,
            {"container": {"channel_id": origin[0], "message_ts": origin[1]}},
            text,
        )
    services.waker()
    show_answer_everywhere(
        services, client, pair, meeting, "rescheduled", user_id, except_message=origin
    )


def register(app: App) -> None:
    """Wire the nudge buttons and the reschedule modal."""
    app.action(MET)(on_meeting_answer)
    app.action(SKIP)(on_meeting_answer)
    app.action(RESCHEDULE)(on_reschedule_clicked)
    app.view(CALLBACK_ID)(on_reschedule_submitted)
