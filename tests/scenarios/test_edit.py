"""Editing a plan from the Home tab: the same modal, prefilled; the schedule is rebuilt from the
edit without sending anything twice or losing a meeting."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.home.view import HOME_EDIT, HOME_GOAL_DONE
from bot.plans.edit import PEOPLE_FIXED
from bot.standin import StoredView
from storage.models import Goal, Meeting, Milestone
from tests.kit.home import after_home_change, dms, open_home, pair, run_days, start, wait_dm
from tests.kit.scenario import DATE_TOKEN
from tests.kit.workspace import LENA, MAYA, OMAR, Bot, wait_for

NUDGE = "📅 Your mentorship session"


def edit_modal(bot: Bot, user: str) -> StoredView:
    open_home(bot, user)
    before = len(bot.standin.views_for(user, include_closed=True))
    bot.driver.click(user, HOME_EDIT)
    views = wait_for(
        lambda: bot.standin.views_for(user, include_closed=True)[before:], what="the edit modal"
    )
    return views[-1]


def save(bot: Bot, user: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Open the edit modal, change some answers, submit; the errors shown, if any."""
    modal = edit_modal(bot, user)
    response = bot.driver.submit_view(user, modal.id, changes)
    assert response.status == 200, response.body
    return response.json


def nudge_days(bot: Bot, user: str) -> list[str]:
    """The meeting each nudge was about, as the fallback date the reader sees (e.g. Tue 9 Mar)."""
    days = []
    for text in dms(bot, user):
        match = DATE_TOKEN.search(text) if text.startswith(NUDGE) else None
        if match:
            days.append(match.group(2).split(" at ")[0])
    return days


def test_the_edit_modal_is_the_plan_modal_prefilled(bot: Bot) -> None:
    start(bot, OMAR)
    modal = edit_modal(bot, MAYA)
    assert modal.callback_id == "plan_edit" and modal.title == "Edit the mentorship"
    inputs = {b["block_id"]: b["element"] for b in modal.blocks if b["type"] == "input"}
    assert inputs["mentor"]["initial_user"] == OMAR and inputs["mentee"]["initial_user"] == MAYA
    assert (
        inputs["mentee_goals"]["initial_value"]
        == "Lead a design review\nLearn Rust async programming"
    )
    assert inputs["cadence"]["initial_option"]["value"] == "biweekly"
    assert inputs["first_date"]["initial_date"] == "2027-03-09"
    assert inputs["meeting_time"]["initial_time"] == "15:00"
    assert inputs["end_date"]["initial_date"] == "2027-09-09"
    assert inputs["announce"]["initial_options"][0]["value"] == "yes"


def test_an_edit_that_keeps_the_time_sends_nothing_twice(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    run_days(bot, 9)  # past the kickoff meeting on Tue 9 Mar: its nudges and prompts went out
    view = open_home(bot, MAYA)
    first = next(b for b in view.blocks if "Lead a design review" in str(b))
    after_home_change(
        bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_DONE, block_id=first["block_id"])
    )
    goals = "Lead a design review\nLearn Rust async programming\nGive a tech talk"
    # The first meeting date has passed; keeping it is fine.
    assert save(bot, OMAR, {"Meeting format": "in_person", "Mentee's goals": goals}) is None
    told = wait_dm(bot, MAYA, "updated the plan")
    assert told.startswith("✏️ *Omar* updated the plan for your mentorship. Next meeting")
    assert "Tue 23 Mar at 10:00" in told  # in Maya's zone
    assert wait_dm(bot, OMAR, "updated the plan").startswith("✏️ You updated the plan")
    with bot.sessions() as s:
        status = {g.text: g.status for g in s.scalars(select(Goal).where(Goal.pair_id == pair_id))}
    assert status["Lead a design review"] == "done" and status["Give a tech talk"] == "open"
    assert pair(bot, pair_id).format == "in_person" and pair(bot, pair_id).schedule_version == 2
    run_days(bot, 15)  # through the 23 Mar meeting
    for user in (MAYA, OMAR):
        assert Counter(nudge_days(bot, user)) == {"Tue 9 Mar": 1, "Tue 23 Mar": 1}
        texts = dms(bot, user)
        assert sum("is set up" in t for t in texts) == 1  # the plan summary, once
        assert sum("has kicked off" in t for t in texts) == 1  # the kickoff questions, once
        assert sum("updated the plan" in t for t in texts) == 1
    last = [t for t in dms(bot, MAYA) if t.startswith(NUDGE)][-1]
    assert "In person" in last


def test_an_edit_to_another_weekday_moves_the_nudges(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()  # Tuesday meetings are planned with their nudges
    changes = {"First meeting date": "2027-03-11", "Meeting cadence": "weekly"}
    assert save(bot, MAYA, changes) is None
    wait_dm(bot, OMAR, "updated the plan")
    run_days(bot, 25)
    for user in (MAYA, OMAR):
        assert Counter(nudge_days(bot, user)) == {"Thu 11 Mar": 1, "Thu 18 Mar": 1, "Thu 25 Mar": 1}
    with bot.sessions() as s:
        tuesdays = s.scalars(
            select(Meeting.status).where(
                Meeting.pair_id == pair_id,
                Meeting.scheduled_at == datetime(2027, 3, 9, 14, tzinfo=UTC),
            )
        ).all()
        kickoff = s.scalars(
            select(Milestone).where(Milestone.pair_id == pair_id, Milestone.kind == "kickoff")
        ).one()
    assert tuesdays == ["cancelled"]
    assert str(kickoff.due_date) == "2027-03-11"
    assert any("has kicked off" in t for t in dms(bot, MAYA))


def test_editing_back_restores_the_cancelled_meetings_once(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    assert save(bot, OMAR, {"First meeting date": "2027-03-11"}) is None
    bot.tick()
    assert save(bot, OMAR, {"First meeting date": "2027-03-09"}) is None
    run_days(bot, 23, step=timedelta(hours=2))
    for user in (MAYA, OMAR):
        assert Counter(nudge_days(bot, user)) == {"Tue 9 Mar": 1, "Tue 23 Mar": 1}


def test_edit_errors_are_shown_beside_the_field_and_change_nothing(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    errors = save(bot, OMAR, {"Mentee": LENA})
    assert errors and errors["errors"]["mentee"] == PEOPLE_FIXED
    errors = save(bot, OMAR, {"First meeting date": "2027-02-20"})
    assert errors and "past" in errors["errors"]["first_date"]
    assert pair(bot, pair_id).schedule_version == 1
    assert not [t for t in dms(bot, MAYA) if "updated the plan" in t]


def test_an_edit_while_slack_rate_limits_users_info_saves_with_older_facts(bot: Bot) -> None:
    # The people facts are older than an edit accepts, and Slack answers users.info with a 429
    # (Retry-After 30 s): the facts the bot has serve, the edit saves at once, nobody waits.
    start(bot, OMAR)
    bot.clock.advance(timedelta(hours=2))
    modal = edit_modal(bot, MAYA)
    bot.standin.rate_limit_next("users.info", retry_after=30, times=2)
    asked = len(bot.standin.calls_to("users.info"))
    began = time.monotonic()
    saved = after_home_change(
        bot, MAYA, lambda: bot.driver.submit_view(MAYA, modal.id, {"Meeting time": "16:00"})
    )
    assert time.monotonic() - began < 10  # not the 30 s Retry-After
    assert len(bot.standin.calls_to("users.info")) > asked  # Slack was asked, and said 429
    assert "16:00" in str(saved.blocks)
