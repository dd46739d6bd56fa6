"""Helpers for the documents scenarios: the files the bot put in a DM, calendar files expanded
with recurring-ical-events, a canvas's sections by heading, and clicks answered privately."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Event

from bot.standin import RecordedMessage, StoredFile
from tests.kit.workspace import Bot, wait_for

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def dm_files(bot: Bot, user: str, suffix: str) -> list[StoredFile]:
    """The files (of one kind: ".ics", ".md") the bot shared in its DM with `user`."""
    return [f for f in bot.standin.dm_files(user) if f.name.endswith(suffix)]


def next_file(bot: Bot, user: str, suffix: str, before: int) -> StoredFile:
    """Tick until a new file of that kind is in the DM; the newest one."""

    def arrived() -> list[StoredFile]:
        bot.tick()
        return dm_files(bot, user, suffix)[before:]

    return wait_for(arrived, timeout=30, what=f"a new {suffix} file for {user}")[-1]


def calendar_of(bot: Bot, stored: StoredFile) -> Calendar:
    """A stored .ics file, parsed."""
    return Calendar.from_ical(bot.standin.file_content(stored.id))


def events(cal: Calendar) -> list[Event]:
    return [c for c in cal.walk("VEVENT") if isinstance(c, Event)]


def master(cal: Calendar) -> Event:
    """The series' VEVENT (the one with the RRULE)."""
    (found,) = [e for e in events(cal) if "RRULE" in e]
    return found


def starts(cal: Calendar, until: datetime) -> list[datetime]:
    """Every meeting the file holds up to `until`, as UTC instants, in order."""
    found = recurring_ical_events.of(cal).between(EPOCH, until + timedelta(days=1))
    instants = []
    for event in found:
        start = event.start
        assert isinstance(start, datetime) and start.tzinfo is not None, start
        if start.astimezone(UTC) <= until:
            instants.append(start.astimezone(UTC))
    return sorted(instants)


def prop(component: Any, name: str) -> Any:
    return component[name]


def ephemeral_after(bot: Bot, user: str, before: int) -> str:
    """The text of the next private reply to `user` (rendered as they read it)."""
    replies = wait_for(
        lambda: bot.standin.ephemeral_messages(user)[before:], timeout=30, what="a reply"
    )
    return bot.standin.ws.render(replies[-1])


def click(bot: Bot, user: str, action_id: str, message: RecordedMessage) -> str:
    """Click a button in a DM message; the private reply the clicker reads."""
    before = len(bot.standin.ephemeral_messages(user))
    assert bot.driver.click(user, action_id, message=message).status == 200
    return ephemeral_after(bot, user, before)


def section(markdown: str, title: str) -> str:
    """A canvas's `## title` section as Markdown: from its heading to the next `## `."""
    start = markdown.index(f"## {title}")
    end = markdown.find("\n## ", start + 1)
    return markdown[start:] if end < 0 else markdown[start:end]
