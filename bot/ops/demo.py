"""`mentorship-bot demo`: a whole mentorship played in accelerated time against the stand-in.

Everything real runs: the HTTP server, Bolt, the database (a fresh SQLite file migrated with
Alembic), the planner and the dispatcher. Only Slack is the bundled stand-in, and time is a
simulated clock the demo moves forward an hour at a time, so weeks pass in seconds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.config import load_config, parse_config
from bot.delivery.dispatcher import Dispatcher
from bot.heartbeat import run_tick
from bot.meetings.messages import CALENDAR_FILE, MET, RESCHEDULE, SKIP
from bot.ops.demo_acts import (
    MAYA,
    MENTORING,
    OMAR,
    goal_from_a_message,
    mark_first_goal_done,
    show_home,
    show_report,
)
from bot.ops.demo_program import program_act
from bot.ops.demo_steps import add_topic, click_item, wait_for, write_notes
from bot.reflections.messages import OPEN_FORM, SHARE
from bot.sessions.messages import ITEM_CARRY, ITEM_DONE
from bot.standin import RecordedMessage, SlackDriver, SlackStandIn
from storage.db import upgrade

TOKEN, SECRET, TEAM = "xoxb-demo", "demo-signing-secret", "T0DEMO0001"
DEFAULT_START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


class Story:
    """The stand-in, the real bot and a clock; prints what each person sees as it happens."""

    def __init__(self, db_url: str, start: datetime, out: Callable[[str], None]) -> None:
        self.out = out
        self.clock = ManualClock(start)
        self.standin = SlackStandIn(bot_token=TOKEN, signing_secret=SECRET, team_id=TEAM)
        self.standin.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
        self.standin.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
        self.standin.add_channel(MENTORING, "mentoring", members=[OMAR, MAYA])
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
        wait_for(lambda: message.edited_ts != before, "the message to update")
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
            "Picked the slides I'll show",  # the goal she added from #mentoring
            "The fixed slot",
            "More async",
            "great",
            "4",
        ],
        ["stop"],
        [
            "Second review went smoothly",
            "Built a small tokio service",
            "Booked a slot in June",
            "Pairing",
            "Nothing",
            "5",
        ],
        [
            "Led two reviews",
            "Shipped an async service",
            "Presented it to the whole company",
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
    view = wait_for(lambda: story.standin.views_for(OMAR), "the plan modal")[-1]
    story.flush()
    d.submit_view(OMAR, view.id, PLAN)  # a date in the past: the modal shows the error
    story.flush()
    d.submit_view(OMAR, view.id, {**PLAN, "First meeting date": "2027-03-09"})
    # The bot sends both summaries itself right after closing the modal (Omar's welcome first).
    wait_for(lambda: all(story.standin.dm_messages(u) for u in (OMAR, MAYA)), "the plan summaries")
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
        self.maya_nudges = 0
        self.noted = self.ticked = False

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
        if user_id == MAYA and CALENDAR_FILE in str(message.blocks) and "is set up" in text:
            self.add_to_calendar(message)  # Maya puts the series in her calendar
        elif _is_nudge(message) and user_id == OMAR:
            self.meetings += 1
            if self.meetings == 2:  # Omar can't make the second meeting: he moves it
                self.reschedule(message)
            elif "carried 1×" in str(message.blocks):  # he sends the examples at last
                click_item(self.story, OMAR, ITEM_DONE, message, "Share two example reviews")
        elif _is_nudge(message) and user_id == MAYA:
            self.maya_nudges += 1
            if self.maya_nudges == 1:  # before the first session she adds a topic
                add_topic(self.story, MAYA, message, "How to prepare for my first design review")
            elif ITEM_DONE in str(message.blocks) and not self.ticked:
                self.ticked = True
                click_item(self.story, MAYA, ITEM_DONE, message, "Draft the review agenda")
                click_item(self.story, MAYA, ITEM_CARRY, message, "Share two example reviews")
            if self.meetings == 5:  # Maya is travelling: skip this one
                self.story.click_and_wait(MAYA, SKIP, message)
        elif text.startswith("Did your session") and user_id == MAYA and MET in str(message.blocks):
            self.story.click_and_wait(MAYA, MET, message)  # Maya answers for both
            if not self.noted:  # and jots down notes about the first session
                self.noted = True
                write_notes(self.story, message)
                show_home(self.story, OMAR)  # Omar sees her shared notes, not her private one
        elif "quick questions" in text or "questions —" in text:
            self.answer_prompt(user_id, message)

    def add_to_calendar(self, message: RecordedMessage) -> None:
        """📅 Add to calendar on the plan summary: the .ics arrives in her DM."""
        self.story.driver.click(MAYA, CALENDAR_FILE, message=message)
        wait_for(lambda: self.story.standin.ephemeral_messages(MAYA), "the answer to the click")
        self.story.tick()
        wait_for(lambda: self.story.standin.dm_files(MAYA), "the calendar file")
        self.story.flush()

    def reschedule(self, message: RecordedMessage) -> None:
        d = self.story.driver
        d.click(OMAR, RESCHEDULE, message=message)
        modal = wait_for(
            lambda: [
                v
                for v in self.story.standin.views_for(OMAR)
                if v.callback_id == "meeting_reschedule" and v.is_open
            ],
            "the reschedule modal",
        )[-1]
        self.story.flush()
        d.submit_view(OMAR, modal.id, {"New date": "2027-03-24", "New time": "16:00"})
        wait_for(lambda: message.edited_ts is not None, "the nudge to update")
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
            wait_for(
                lambda: any("shared their" in m.text for m in self.story.standin.dm_messages(OMAR)),
                "the share",
            )
            self.story.flush()

    def _wait_for_reply(self, user_id: str, before: int) -> None:
        wait_for(lambda: len(self.story.standin.dm_messages(user_id)) > before, "the bot's reply")

    def answer_with_form(self, message: RecordedMessage) -> None:
        d = self.story.driver
        d.click(OMAR, OPEN_FORM, message=message)
        form = wait_for(
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
        wait_for(
            lambda: self.story.standin.dm_messages(OMAR)[-1].text.startswith("✅ Thanks"),
            "Omar's thanks",
        )
        self.handled.update(m.ts for m in self.story.standin.dm_messages(OMAR))
        self.story.flush()


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
            wait_for(
                lambda: "nothing for you" in story.standin.dm_messages(MAYA)[-1].text, "the reply"
            )
            story.flush()
            show_home(story, MAYA)  # a week in: her mentorship, goals and milestones
            goal_from_a_message(story)
            story.advance_until(GOAL_DONE_AT, people)
            mark_first_goal_done(story, MAYA)  # she led her first design review
            story.advance_until(END, people)
            show_home(story, MAYA)  # at the end: the completed mentorship
            show_report(story)
            program_act(story, wait_for)  # a program: enrol, match the cohort, publish
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
