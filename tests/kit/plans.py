"""Plans the scenarios submit, and small steps they share (run the clock, read DMs, move a
meeting)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.plan import PlanForm
from bot.meetings.messages import RESCHEDULE
from bot.standin.models import RecordedMessage
from tests.kit.workspace import MAYA, MENTORING, OMAR, Bot, wait_for

# The start scenario's plan: Omar (Berlin) mentors Maya (New York), every two weeks.
PLAN: dict[str, Any] = {
    "Mentor": OMAR,
    "Mentee": MAYA,
    "Mentee's goals": "Lead a design review\nLearn Rust async programming",
    "Mentor's goals": "Practise giving feedback",
    "Shared vision": "Maya leads her team's next launch",
    "Meeting cadence": "biweekly",
    "First meeting date": "2027-03-09",
    "Meeting time": "15:00",
    "Time zone": "Europe/Berlin",
    "Meeting format": "online",
    "Communication channels": ["chat", "calls"],
    "Duration": "6",
    "Feedback checkpoint every": "4",
    "Announcement channel": MENTORING,
    "Announce milestones": ["yes"],
}

# The same kind of plan as the form validated it, for storage tests that skip the modal: weekly
# from Tue 2 Mar 2027 at 15:00 Berlin, three months, a checkpoint every four weeks.
FORM = PlanForm(
    mentor_id="UA",
    mentee_id="UB",
    mentee_goals="Lead a design review",
    mentor_goals="Practise feedback",
    vision="Grow into a tech lead",
    cadence="weekly",
    first_date=date(2027, 3, 2),
    meeting_time=time(15, 0),
    tz="Europe/Berlin",
    format="online",
    channels=("chat",),
    duration_months=3,
    checkpoint_weeks=4,
)


def plan_form(**changes: Any) -> PlanForm:
    """`FORM` with some fields changed (the people, the goals, ...)."""
    return replace(FORM, **changes)


# A short weekly plan with two-weekly checkpoints (milestones come quickly).
SHORT: dict[str, Any] = {
    **PLAN,
    "Meeting cadence": "weekly",
    "First meeting date": "2027-03-02",
    "Duration": None,
    "End date (instead of a duration)": "2027-03-30",
    "Feedback checkpoint every": "2",
}


def run_until(bot: Bot, until: datetime) -> None:
    """Tick the scheduler an hour at a time up to `until`."""
    while bot.clock.now() < until:
        bot.clock.advance(timedelta(hours=1))
        bot.tick()


def dm_texts(bot: Bot, user: str) -> list[str]:
    return [m.text for m in bot.standin.dm_messages(user)]


def reschedule(bot: Bot, user: str, message: RecordedMessage, day: str, time: str) -> object:
    before = len(bot.standin.views_for(user, include_closed=True))
    assert bot.driver.click(user, RESCHEDULE, message=message).status == 200
    views = wait_for(
        lambda: bot.standin.views_for(user, include_closed=True)[before:], what="the modal"
    )
    return bot.driver.submit_view(user, views[-1].id, {"new_date": day, "new_time": time})
