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

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.config import load_config, parse_config
from bot.delivery.dispatcher import Dispatcher
from bot.heartbeat import run_tick
from bot.home.view import HOME_GOAL_DONE
from bot.meetings.messages import MET, RESCHEDULE, SKIP
from bot.ops.demo_program import program_act
from bot.reflections.messages import OPEN_FORM, SHARE
from bot.standin import RecordedMessage, SlackDriver, SlackStandIn
from storage.db import upgrade

T = TypeVar("T")
TOKEN, SECRET, TEAM = "xoxb-demo", "demo-signing-secret", "T0DEMO0001"
OMAR, MAYA, KAI = "U0OMAR0001", "U0MAYA0001", "U0KAI00001"
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


PLAN: dict[str, Any] = {
    "Mentee's goals": "Lead a design review\nLearn Rust async programming",
    "Mentor's goals": "Practise giving clear feedback",
    "Shared vision": "Maya leads her team's next launch with confidence",
    "Meeting cadence": "biweekly",
    "First meeting date": "2027-02-26",
    "Meeting time": "15:00",
    "Meeting format": "online",
    "Communication channels": ["chat", "calls"],
    "Duration": "3",
    "Feedback checkpoint every": "4",
    "Announcement channel": MENTORING,
    "Announce milestones": ["yes"],
}
GOAL_DONE_AT = datetime(2027, 5, 20, 17, 0, tzinfo=UTC)
END = datetime(2027, 6, 11, 0, 0, tzinfo=UTC)

# What each person types when the bot asks, prompt by prompt (in the order prompts arrive).
ANSWERS: dict[str, list[list[str]]] = {
    MAYA: [
        ["Confidence running a design review", "skip", "Short weekly check-ins, honest feedback"],
        [
            "Ran my first review last week",
            "Reading the async book",
            "The fixed slot",
            "More async",
            "great",
            "4",
        ],
        ["stop"],
        ["Second review went smoothly", "Built a small tokio service", "Pairing", "Nothing", "5"],
        [
            "Led two reviews",
            "Shipped an async service",
            "Preparing people before a review",
            "Mentor someone myself",
            "5",
        ],
    ],
    OMAR: [
        [],  # the kickoff: Omar prefers the form
        [
            "Getting better at specific feedback",
            "Maya drives the agenda",
            "Meet in person once",
            "4",
        ],
        [],  # checkpoint 2: Omar is busy; he gets one reminder, then it closes
        ["Much clearer feedback now", "Async notes between calls", "Nothing", "5"],
        [
            "Feedback that names one concrete next step",
            "Listening more",
            "Mentor again next year",
            "5",
        ],
    ],
}


def start_mentorship(story: Story) -> None:
    """Omar sets up a mentorship with Maya, with one mistake on the way."""
    d = story.driver
    d.slash_command(OMAR, f"start <@{MAYA}|maya>")
    view = _wait(lambda: story.standin.views_for(OMAR), "the plan modal")[-1]
    story.flush()
    d.submit_view(OMAR, view.id, PLAN)  # a date in the past: the modal shows the error
    story.flush()
    d.submit_view(OMAR, view.id, {**PLAN, "First meeting date": "2027-03-09"})
    story.tick()


def _is_nudge(message: RecordedMessage) -> bool:
    """A meeting nudge, also once an answer replaced its buttons (its text is then the answer)."""
    return "Your mentorship session with" in str(message.blocks)


class People:
    """Omar and Maya: they read each new DM and do what a person would."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.handled: set[str] = set()
        self.prompts = {OMAR: 0, MAYA: 0}
        self.meetings = 0

    def new_dms(self, user_id: str) -> list[RecordedMessage]:
        fresh = [m for m in self.story.standin.dm_messages(user_id) if m.ts not in self.handled]
        self.handled.update(m.ts for m in fresh)
        return fresh

    def __call__(self, story: Story) -> None:
        for user_id in (MAYA, OMAR):
            for message in self.new_dms(user_id):
                self.react(user_id, message)

    def react(self, user_id: str, message: RecordedMessage) -> None:
        text = message.text
        if _is_nudge(message) and user_id == OMAR:
            self.meetings += 1
            if self.meetings == 2:  # Omar can't make the second meeting: he moves it
                self.reschedule(message)
        elif _is_nudge(message) and user_id == MAYA:
            if self.meetings == 5:  # Maya is travelling: skip this one
                self.story.click_and_wait(MAYA, SKIP, message)
        elif text.startswith("Did your session") and user_id == MAYA and MET in str(message.blocks):
            self.story.click_and_wait(MAYA, MET, message)  # Maya answers for both
        elif "quick questions" in text or "questions —" in text:
            self.answer_prompt(user_id, message)

    def reschedule(self, message: RecordedMessage) -> None:
        d = self.story.driver
        d.click(OMAR, RESCHEDULE, message=message)
        modal = _wait(
            lambda: [
                v
                for v in self.story.standin.views_for(OMAR)
                if v.callback_id == "meeting_reschedule" and v.is_open
            ],
            "the reschedule modal",
        )[-1]
        self.story.flush()
        d.submit_view(OMAR, modal.id, {"New date": "2027-03-24", "New time": "16:00"})
        _wait(lambda: message.edited_ts is not None, "the nudge to update")
        self.story.tick()

    def answer_prompt(self, user_id: str, message: RecordedMessage) -> None:
        index = self.prompts[user_id]
        self.prompts[user_id] += 1
        script = ANSWERS[user_id][index] if index < len(ANSWERS[user_id]) else []
        if user_id == OMAR and index == 0:
            self.answer_with_form(message)
            return
        for line in script:
            before = len(self.story.standin.dm_messages(user_id))
            _, ts = self.story.driver.user_dm(user_id, line)
            self._wait_for_reply(user_id, before)
            self.handled.update(m.ts for m in self.story.standin.dm_messages(user_id))
            if user_id == MAYA and index == 1 and line == "Ran my first review last week":
                self.story.driver.edit_dm(MAYA, ts, "Ran my first design review last week")
                self.story.note("(Maya edited her answer; the stored answer follows the edit)")
        self.story.flush()
        if user_id == MAYA and index == 1:  # she shares her first checkpoint with Omar
            thanks = self.story.standin.dm_messages(MAYA)[-1]
            self.story.driver.click(MAYA, SHARE, message=thanks)
            _wait(
                lambda: any("shared their" in m.text for m in self.story.standin.dm_messages(OMAR)),
                "the share",
            )
            self.story.flush()

    def _wait_for_reply(self, user_id: str, before: int) -> None:
        _wait(lambda: len(self.story.standin.dm_messages(user_id)) > before, "the bot's reply")

    def answer_with_form(self, message: RecordedMessage) -> None:
        d = self.story.driver
        d.click(OMAR, OPEN_FORM, message=message)
        form = _wait(
            lambda: [
                v
                for v in self.story.standin.views_for(OMAR)
                if v.callback_id == "reflection_form_submit" and v.is_open
            ],
            "the reflection form",
        )[-1]
        self.story.flush()
        d.submit_view(
            OMAR,
            form.id,
            {
                "expectations": "Help Maya find her own voice as a lead",
                "ways_of_working": "Maya sets the agenda; I ask questions",
            },
        )
        _wait(
            lambda: self.story.standin.dm_messages(OMAR)[-1].text.startswith("✅ Thanks"),
            "Omar's thanks",
        )
        self.handled.update(m.ts for m in self.story.standin.dm_messages(OMAR))
        self.story.flush()


def show_home(story: Story, user_id: str) -> None:
    """The person opens the app's Home tab; the transcript shows what was published."""
    before = story.standin.home_view(user_id)
    old_hash = before.view["hash"] if before else None
    story.driver.open_home(user_id)
    _wait(
        lambda: (
            (view := story.standin.home_view(user_id)) is not None and view.view["hash"] != old_hash
        ),
        "the Home tab",
    )
    story.flush()


def mark_first_goal_done(story: Story, user_id: str) -> None:
    """The person opens the Home tab and marks their first open goal done."""
    show_home(story, user_id)
    home = story.standin.home_view(user_id)
    assert home is not None
    old_hash = home.view["hash"]
    story.driver.click(user_id, HOME_GOAL_DONE, view_id=home.id)
    _wait(
        lambda: (
            (view := story.standin.home_view(user_id)) is not None and view.view["hash"] != old_hash
        ),
        "the Home tab to show the goal done",
    )
    story.flush()


def show_report(story: Story, again: bool = False) -> None:
    """Kai, a workspace admin, looks at the program: their Home tab and `/mentorship report`."""
    if not again:
        story.standin.add_user(KAI, "kai", real_name="Kai", tz="Pacific/Auckland", is_admin=True)
        show_home(story, KAI)
    before = len(story.standin.ephemeral_messages(KAI))
    story.driver.slash_command(KAI, "report")
    _wait(lambda: len(story.standin.ephemeral_messages(KAI)) > before, "the report")
    story.flush()


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
            people = People(story)
            people(story)
            story.advance_until(datetime(2027, 3, 8, 18, 0, tzinfo=UTC), people)
            story.driver.user_dm(
                MAYA, "hi! is there anything I should do before our first meeting?"
            )
            _wait(
                lambda: "nothing for you" in story.standin.dm_messages(MAYA)[-1].text, "the reply"
            )
            story.flush()
            show_home(story, MAYA)  # a week in: her mentorship, goals and milestones
            story.advance_until(GOAL_DONE_AT, people)
            mark_first_goal_done(story, MAYA)  # she led her first design review
            story.advance_until(END, people)
            show_home(story, MAYA)  # at the end: the completed mentorship
            show_report(story)
            program_act(story, _wait)  # a program: enrol, match the cohort, publish
            show_report(story, again=True)
        finally:
            if story is not None:
                story.close()
        if not quiet and story is not None:
            sent = sum(1 for m in story.standin.messages if m.user == story.standin.bot_user_id)
            out(
                f"\nThe bot sent {sent} messages over the whole story (three simulated months, then a program)."
            )
    return 0
