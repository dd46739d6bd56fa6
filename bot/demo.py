"""`mentorship-bot demo`: a whole mentorship played in accelerated time against the stand-in.

Everything real runs: the HTTP server, Bolt, the database (a fresh SQLite file migrated with
Alembic), the planner and the dispatcher. Only Slack is the bundled stand-in, and time is a
simulated clock the demo moves forward an hour at a time, so weeks pass in seconds.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import ManualClock
from bot.config import load_config, parse_config
from bot.meeting_messages import MET, RESCHEDULE, SKIP
from bot.runtime import build_runtime
from bot.scheduler import run_tick
from bot.scheduling.dispatcher import Dispatcher
from bot.standin import RecordedMessage, SlackDriver, SlackStandIn
from storage.db import upgrade

T = TypeVar("T")
TOKEN, SECRET, TEAM = "xoxb-demo", "demo-signing-secret", "T0DEMO0001"
OMAR, MAYA = "U0OMAR0001", "U0MAYA0001"
MENTORING = "C0MENTOR01"
DEFAULT_START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _wait(predicate: Callable[[], T], what: str, timeout: float = 10.0) -> T:
    """Wait for work the bot does after acknowledging a request."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the demo gave up waiting for {what}")
        time.sleep(0.01)
    return result


class Story:
    """The stand-in, the real bot and a clock; prints what each person sees as it happens."""

    def __init__(self, db_url: str, start: datetime, out: Callable[[str], None]) -> None:
        self.out = out
        self.clock = ManualClock(start)
        self.standin = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET, team_id=TEAM)
        self.standin.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
        self.standin.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
        self.standin.add_channel(MENTORING, "mentoring")
        self.standin.start()
        config = parse_config(
            {"slack": {"api_url": self.standin.api_url}, "database": {"url": db_url}},
            {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET},
        )
        self.runtime = build_runtime(config, clock=self.clock)
        self.server = self.runtime.server(host="127.0.0.1", port=0)
        self.server.start()
        url = f"http://127.0.0.1:{self.server.port}/slack/events"
        self.driver = SlackDriver(self.standin, bot_url=url, signing_secret=SECRET)
        self.dispatcher = Dispatcher(self.runtime.services, owner="demo")
        self.shown = 0
        self.heading = ""

    def close(self) -> None:
        self.server.stop()
        self.standin.stop()
        self.runtime.engine.dispose()

    def flush(self) -> None:
        """Print transcript lines that appeared since the last flush, under a time heading."""
        lines = self.standin.transcript()[self.shown :]
        self.shown += len(lines)
        if not lines:
            return
        now = self.clock.now()
        heading = f"{now:%a %d %b %Y}, {now:%H:%M} UTC"
        if heading != self.heading:
            self.out(f"\n── {heading} ──")
            self.heading = heading
        for line in lines:
            self.out("  " + line.replace("\n", "\n      "))

    def tick(self) -> None:
        run_tick(self.runtime.services, self.dispatcher)
        self.flush()

    def note(self, line: str) -> None:
        self.standin.ws.note(line)

    def dms_with(self, user_id: str, action_id: str) -> list[RecordedMessage]:
        """The user's DMs that still offer a button."""
        return [m for m in self.standin.dm_messages(user_id) if action_id in str(m.blocks)]

    def click_and_wait(self, user_id: str, action_id: str, message: RecordedMessage) -> None:
        before = message.edited_ts
        self.driver.click(user_id, action_id, message=message)
        _wait(lambda: message.edited_ts != before, "the message to update")
        self.flush()

    def advance_until(self, until: datetime, react: Callable[[Story], None]) -> None:
        """Move time forward an hour at a time, ticking the scheduler, letting people react."""
        while self.clock.now() < until:
            self.clock.advance(timedelta(hours=1))
            self.tick()
            react(self)


def start_mentorship(story: Story) -> None:
    """Omar sets up a mentorship with Maya, with one mistake on the way."""
    d = story.driver
    d.slash_command(OMAR, f"start <@{MAYA}|maya>")
    view = _wait(lambda: story.standin.views_for(OMAR), "the plan modal")[-1]
    story.flush()
    plan: dict[str, Any] = {
        "Mentee's goals": "Lead a design review\nLearn Rust async programming",
        "Mentor's goals": "Practise giving clear feedback",
        "Shared vision": "Maya leads her team's next launch with confidence",
        "Meeting cadence": "weekly",
        "First meeting date": "2027-02-26",
        "Meeting time": "15:00",
        "Meeting format": "online",
        "Communication channels": ["chat", "calls"],
        "Duration": "3",
        "Feedback checkpoint every": "4",
        "Announcement channel": MENTORING,
        "Announce milestones": ["yes"],
    }
    d.submit_view(OMAR, view.id, plan)  # a date in the past: the modal shows the error
    story.flush()
    d.submit_view(OMAR, view.id, {**plan, "First meeting date": "2027-03-09"})
    story.tick()


def react(story: Story) -> None:
    """What Omar and Maya do with the bot's messages as the weeks pass."""
    now = story.clock.now()
    day = now.date().isoformat()
    if day == "2027-03-09" and now.hour == 16:  # after the first meeting, Maya: "We met"
        story.click_and_wait(MAYA, MET, story.dms_with(MAYA, MET)[-1])
    if day == "2027-03-15" and now.hour == 15:  # Omar can't make the 16th: reschedule
        msg = story.dms_with(OMAR, RESCHEDULE)[-1]
        story.driver.click(OMAR, RESCHEDULE, message=msg)
        modal = _wait(
            lambda: [
                v for v in story.standin.views_for(OMAR) if v.callback_id == "meeting_reschedule"
            ],
            "the reschedule modal",
        )[-1]
        story.flush()
        story.driver.submit_view(OMAR, modal.id, {"New date": "2027-03-17", "New time": "16:00"})
        _wait(lambda: msg.edited_ts is not None, "the nudge to update")
        story.tick()
    if day == "2027-03-17" and now.hour == 20:  # the follow-up came; Omar answers for both
        story.click_and_wait(OMAR, MET, story.dms_with(OMAR, MET)[-1])
    if day == "2027-03-22" and now.hour == 18:  # Maya is travelling: skip this one
        story.click_and_wait(MAYA, SKIP, story.dms_with(MAYA, SKIP)[-1])


def run_demo(quiet: bool = False, config_path: Path | None = None) -> int:
    """Play the story and print what each person saw; return an exit code."""
    out = print
    with tempfile.TemporaryDirectory(prefix="mentorship-demo-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        base = load_config(config_path) if config_path else parse_config({}, {})
        start = base.clock.start or DEFAULT_START
        upgrade(db_url)
        if not quiet:
            out("Mentorship bot demo: the real app against the bundled Slack stand-in.")
            out(f"Simulated time starts {start:%a %d %b %Y %H:%M} UTC and runs an hour per step.")
            out("Omar (Berlin) mentors Maya (New York). Below is everything each of them saw.")
        story = None
        try:
            story = Story(db_url, start, out)
            start_mentorship(story)
            story.advance_until(datetime(2027, 4, 1, 0, 0, tzinfo=UTC), react)
        finally:
            if story is not None:
                story.close()
        if not quiet and story is not None:
            sent = sum(1 for m in story.standin.messages if m.user == story.standin.bot_user_id)
            out(f"\nThe bot sent {sent} messages in four simulated weeks.")
    return 0
