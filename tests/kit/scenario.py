"""Helpers for scenario tests that play weeks of a mentorship on the manual clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.standin import RecordedMessage
from storage.models import Delivery, Meeting, Pair
from tests.kit.plans import PLAN
from tests.kit.workspace import Bot

HOUR = timedelta(hours=1)
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^[^|>]*\|([^>]*)>")
NUDGE_START = "📅 Your mentorship session with"
FOLLOWUP_START = "Did your session with"


@dataclass(frozen=True)
class Seen:
    """A message the bot posted, with the (manual-clock) time of the tick that posted it."""

    at: datetime
    message: RecordedMessage
    text: str  # as posted; `message` shows later edits (buttons replaced by an answer)

    @property
    def meeting_epoch(self) -> int:
        """The instant of the first date token (the meeting a nudge or follow-up is about)."""
        match = DATE_TOKEN.search(self.text)
        assert match, self.text
        return int(match.group(1))

    @property
    def fallback(self) -> str:
        """The fallback text of the first date token, e.g. "Tue 9 Mar at 09:00"."""
        match = DATE_TOKEN.search(self.text)
        assert match, self.text
        return match.group(2)

    @property
    def kind(self) -> str:
        if self.text.startswith(NUDGE_START):
            return "nudge"
        if self.text.startswith(FOLLOWUP_START):
            return "followup"
        return "other"


class Timeline:
    """Ticks the bot on its manual clock and remembers when each bot message went out."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.seen: list[Seen] = []
        self._count = 0

    def collect(self) -> list[Seen]:
        """Record messages posted since the last call, stamped with the current clock time."""
        messages = self.bot.standin.messages
        now = self.bot.clock.now()
        new = [
            Seen(now, m, m.text)
            for m in messages[self._count :]
            if m.user == self.bot.standin.bot_user_id and not m.is_ephemeral
        ]
        self._count = len(messages)
        self.seen.extend(new)
        return new

    def tick(self) -> list[Seen]:
        self.bot.tick()
        return self.collect()

    def run_until(
        self, end: datetime, step: timedelta = HOUR, each: Callable[[], None] | None = None
    ) -> None:
        """Tick, then advance by `step`, until the clock reaches `end` (tick at `end` too)."""
        while True:
            self.tick()
            if each is not None:
                each()
            if self.bot.clock.now() >= end:
                return
            self.bot.clock.advance(min(step, end - self.bot.clock.now()))

    def to(self, user_id: str, kind: str | None = None) -> list[Seen]:
        channel = "D" + user_id[1:]
        return [
            s
            for s in self.seen
            if s.message.channel == channel and (kind is None or s.kind == kind)
        ]


def plan(**changes: Any) -> dict[str, Any]:
    """The start scenario's plan (Omar mentors Maya, 15:00 Berlin), weekly, with changes."""
    return {**PLAN, "Meeting cadence": "weekly", **changes}


def start(bot: Bot, creator: str, values: dict[str, Any]) -> int:
    """Submit a plan through the modal and return the new pair's id."""
    response = bot.start_plan(creator, values)
    assert response.status == 200 and not response.body.strip(), response.body
    with bot.sessions() as s:
        return max(s.scalars(select(Pair.id)))


def at(local: str, tz: str) -> datetime:
    """A local wall time in a zone, as a UTC instant."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_hour(instant: datetime, tz: str) -> float:
    local = instant.astimezone(ZoneInfo(tz))
    return local.hour + local.minute / 60


def deliveries(bot: Bot, **where: Any) -> list[Delivery]:
    with bot.sessions() as s:
        stmt = select(Delivery).order_by(Delivery.due_at, Delivery.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(Delivery, key) == value)
        return list(s.scalars(stmt))


def meetings(bot: Bot, pair_id: int) -> list[Meeting]:
    with bot.sessions() as s:
        stmt = select(Meeting).where(Meeting.pair_id == pair_id).order_by(Meeting.scheduled_at)
        return list(s.scalars(stmt))
