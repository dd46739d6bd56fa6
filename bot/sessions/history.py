"""The session history behind the Home tab's 🗂 button: each session's date, what became of it,
and whether it has notes (never their text)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select

from bot.core.services import Services
from bot.domain.agenda import plural
from bot.domain.timefmt import format_local_date
from bot.people.lookup import person
from bot.sessions.access import participant_pair
from bot.sessions.modals import history_modal
from storage.models import Meeting, MeetingStatus
from storage.notes import items_per_meeting, notes_of, visible

SHOWN = {
    MeetingStatus.HELD.value: "✅ met",
    MeetingStatus.SKIPPED.value: "⏭ skipped",
    MeetingStatus.RESCHEDULED.value: "📅 moved to another time",
    MeetingStatus.CANCELLED.value: "— off (paused, ended or re-planned)",
    MeetingStatus.UNKNOWN.value: "❔ no answer",
}


def history_lines(
    meetings: Sequence[Meeting],
    with_notes: Collection[int],
    items: Mapping[int, int],
    tz: str,
    now: datetime,
) -> list[str]:
    """One line per session so far, latest first, after the next one."""
    lines: list[str] = []
    upcoming = [m for m in meetings if m.status == MeetingStatus.UPCOMING and m.scheduled_at > now]
    if upcoming:
        nxt = min(upcoming, key=lambda m: m.scheduled_at)
        lines.append(f"➡️ {_day(nxt, tz)} — next")
    for m in sorted(meetings, key=lambda m: m.scheduled_at, reverse=True):
        if m.scheduled_at > now:
            continue
        status = SHOWN.get(m.status, "❔ no answer yet")
        extra = " · 📝 notes" if m.id in with_notes else ""
        if items.get(m.id):
            extra += f" · {plural(items[m.id], 'action item')}"
        lines.append(f"{_day(m, tz)} — {status}{extra}")
    return lines


def _day(m: Meeting, tz: str) -> str:
    return format_local_date(m.scheduled_at.astimezone(ZoneInfo(tz)).date())


def open_history(
    services: Services,
    client: WebClient,
    team_id: str,
    user_id: str,
    raw_pair_id: Any,
    trigger_id: str,
) -> str | None:
    """🗂 Session history, for one of the pair's two people; else a refusal."""
    found = participant_pair(services, team_id, user_id, raw_pair_id)
    if isinstance(found, str):
        return found
    me = person(services, client, team_id, user_id)
    partner = person(services, client, team_id, found.partner_of(user_id))
    with services.sessions() as session:
        meetings = list(
            session.scalars(
                select(Meeting).where(Meeting.team_id == team_id, Meeting.pair_id == found.id)
            )
        )
        notes = notes_of(session, team_id, [m.id for m in meetings])
        items = items_per_meeting(session, team_id, found.id)
    with_notes = {n.meeting_id for n in notes if visible(n, user_id)}
    lines = history_lines(meetings, with_notes, items, me.tz or found.tz, services.clock.now())
    client.views_open(trigger_id=trigger_id, view=history_modal(partner.name, lines))
    return None
