"""A stored pair's meeting series as the calendar file describes it (bot.domain.calendar).

The file follows what became of each slot of the plan's series: a slot whose meeting was skipped,
or cancelled by a pause, is an EXDATE; a slot whose meeting was moved (perhaps more than once) is
an override at the latest time; an ongoing pause removes the slots up to the day it ends; an
ended mentorship is cancelled. Nothing here talks to Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from bot.domain.calendar import Move, Pause, SeriesFile, series_summary, series_uid
from bot.pairs.lifecycle import resume_instant
from storage.meetings import series_slot
from storage.models import Meeting, MeetingStatus, Pair, PairStatus
from storage.pairs import meeting_rule

REMOVED = (MeetingStatus.SKIPPED.value, MeetingStatus.CANCELLED.value)
TAKING_PLACE = (MeetingStatus.UPCOMING.value, MeetingStatus.HELD.value, MeetingStatus.UNKNOWN.value)


@dataclass(frozen=True)
class SlotChanges:
    """The slots of the series that no longer meet, and those that meet at another time."""

    skipped: tuple[datetime, ...]
    moved: tuple[Move, ...]


def slot_instant(slot: str) -> datetime:
    """The planned UTC instant of a series slot key (storage.meetings.slot_key)."""
    return datetime.strptime(slot, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


def slot_changes(meetings: Sequence[Meeting]) -> SlotChanges:
    """What the meeting rows say about each slot: the newest row of a slot decides."""
    latest: dict[str, Meeting] = {}
    for meeting in sorted(meetings, key=lambda m: m.id):
        latest[series_slot(meeting)] = meeting
    skipped, moved = [], []
    for slot, meeting in sorted(latest.items()):
        at = slot_instant(slot)
        if meeting.status in REMOVED:
            skipped.append(at)
        elif meeting.status in TAKING_PLACE and meeting.scheduled_at != at:
            moved.append(Move(slot=at, to=meeting.scheduled_at))
    return SlotChanges(tuple(skipped), tuple(moved))


def open_in_slack(team_id: str, dm_channel: str | None) -> str:
    """A link that opens the bot's DM with the reader in Slack (the workspace without one)."""
    query = {"team": team_id, **({"channel": dm_channel} if dm_channel else {})}
    return f"https://slack.com/app_redirect?{urlencode(query)}"


def pair_series(
    pair: Pair,
    meetings: Sequence[Meeting],
    *,
    names: tuple[str, str],
    uid_key: str,
    now: datetime,
    link: str,
) -> SeriesFile:
    """The calendar file of a pair as it stands now; `names` are (mentee, mentor)."""
    changes = slot_changes(meetings)
    paused: tuple[Pause, ...] = ()
    if pair.status == PairStatus.PAUSED:
        until = resume_instant(pair.paused_until) if pair.paused_until else None
        paused = (Pause(start=now, end=until),) if until is None or until > now else ()
    return SeriesFile(
        rule=meeting_rule(pair),
        uid=series_uid(pair.team_id, pair.id, uid_key),
        sequence=pair.schedule_version,
        summary=series_summary(*names),
        stamp=now,
        format=pair.format,
        channels=tuple(c for c in pair.channels.split(",") if c),
        link=link,
        minutes=pair.meeting_minutes,
        skipped=changes.skipped,
        paused=paused,
        moved=changes.moved,
        ended=pair.status == PairStatus.ENDED,
    )
