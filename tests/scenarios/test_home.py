"""The App Home tab end to end: what participants, a stranger and an admin see, and its buttons
(pause, resume, end, goals, edit), through the real server and the stand-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.home.view import (
    HOME_EDIT,
    HOME_END,
    HOME_GOAL_ADD,
    HOME_GOAL_DONE,
    HOME_GOAL_REOPEN,
    HOME_PAUSE,
    HOME_PAUSE_FOR,
    HOME_RESUME,
    HOME_START,
)
from bot.plans.start import FORM_DID_NOT_OPEN
from bot.reports.view import HOME_REPORT_CSV
from storage.models import Goal, Meeting
from tests.kit.home import (
    action_ids,
    after_home_change,
    command,
    dms,
    home_notice,
    home_now,
    home_text,
    open_home,
    pair,
    rows,
    run_days,
    start,
    wait_dm,
)
from tests.kit.plans import PLAN
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, Bot, wait_for

NUDGE = "📅 Your mentorship session"


def test_home_for_participants_a_stranger_and_an_admin(bot: Bot) -> None:
    start(bot, OMAR)
    bot.tick()
    maya = home_text(bot, open_home(bot, MAYA))
    assert "Mentored by Omar" in maya
    assert "Tue 9 Mar at 09:00 (15:00 for Omar)" in maya  # her zone first, his beside it
    assert "Every other Tuesday at 15:00 (Europe/Berlin)" in maya
    assert "Online, by chat and calls" in maya
    assert "Lead a design review" in maya and "Practise giving feedback" in maya
    assert "➡️ *Kickoff* · Tue 9 Mar 2027 (next)" in maya and "Final review" in maya
    assert "Program overview" not in maya
    buttons = action_ids(open_home(bot, MAYA))
    assert {
        HOME_PAUSE,
        HOME_PAUSE_FOR,
        HOME_EDIT,
        HOME_END,
        HOME_GOAL_DONE,
        HOME_GOAL_ADD,
    } <= buttons
    omar = home_text(bot, open_home(bot, OMAR))
    assert "Mentoring Maya" in omar and "Tue 9 Mar at 15:00 (09:00 for Maya)" in omar
    assert "Two ways to start" in home_text(bot, open_home(bot, LENA))  # her first visit
    stranger = open_home(bot, LENA)  # later visits: the short version
    assert "don't have a mentorship yet" in home_text(bot, stranger)
    assert "Maya" not in home_text(bot, stranger) and action_ids(stranger) == {HOME_START}
    admin = open_home(bot, KAI)  # a workspace admin in the stand-in
    text = home_text(bot, admin)
    assert "Program overview" in text and "*Active* / 1" in text and "*Paused* / 0" in text
    assert action_ids(admin) == {HOME_START, HOME_REPORT_CSV}


def test_pause_two_weeks_from_home_skips_those_meetings_and_resumes_by_itself(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    open_home(bot, MAYA)
    view = after_home_change(bot, MAYA, lambda: bot.driver.click(MAYA, HOME_PAUSE))
    assert "Paused until Mon 15 Mar 2027" in home_text(bot, view)
    assert HOME_RESUME in action_ids(view) and HOME_PAUSE not in action_ids(view)
    assert pair(bot, pair_id).status == "paused"
    assert pair(bot, pair_id).paused_until == date(2027, 3, 15)
    told = wait_dm(bot, OMAR, "paused")
    assert told.startswith("⏸ *Maya* paused your mentorship until Mon 15 Mar 2027")
    wait_for(lambda: "Paused until Mon 15 Mar" in home_now(bot, OMAR), what="Omar's Home")
    run_days(bot, 14, step=timedelta(hours=3))
    assert pair(bot, pair_id).status == "active"  # picked up again on 15 Mar by itself
    assert not [t for t in dms(bot, MAYA) if t.startswith(NUDGE)]  # 9 Mar: paused
    run_days(bot, 10, step=timedelta(hours=3))  # the 23 Mar meeting
    nudges = [t for t in dms(bot, MAYA) if t.startswith(NUDGE)]
    assert len(nudges) == 1 and "Tue 23 Mar" in nudges[0]
    with bot.sessions() as s:  # the paused meeting is cancelled, so it never counts as missed
        status = {m.scheduled_at.date(): m.status for m in s.scalars(select(Meeting))}
    assert status[date(2027, 3, 9)] == "cancelled" and status[date(2027, 3, 23)] != "cancelled"


def test_pause_for_chosen_weeks_then_resume_brings_the_meetings_back(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    open_home(bot, OMAR)
    after_home_change(bot, OMAR, lambda: bot.driver.click(OMAR, HOME_PAUSE_FOR, value="4 weeks"))
    assert pair(bot, pair_id).paused_until == date(2027, 3, 29)
    assert wait_dm(bot, MAYA, "paused").startswith(
        "⏸ *Omar* paused your mentorship until Mon 29 Mar"
    )
    assert rows(bot, pair_id, "nudge") == []  # 9 and 23 Mar were dropped with their nudges
    view = after_home_change(bot, OMAR, lambda: bot.driver.click(OMAR, HOME_RESUME))
    assert HOME_PAUSE in action_ids(view) and pair(bot, pair_id).status == "active"
    resumed = wait_dm(bot, MAYA, "resumed")
    assert resumed.startswith("▶️ *Omar* resumed your mentorship. Next meeting")
    assert "Tue 9 Mar at 09:00" in resumed  # in Maya's zone
    run_days(bot, 9, step=timedelta(hours=3))
    nudges = [t for t in dms(bot, MAYA) if t.startswith(NUDGE)]
    assert len(nudges) == 1 and "Tue 9 Mar" in nudges[0]


def test_end_from_home_asks_first_then_stops_everything(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    view = open_home(bot, MAYA)
    [end] = [
        e
        for b in view.blocks
        for e in b.get("elements") or []
        if isinstance(e, dict) and e.get("action_id") == HOME_END
    ]
    assert end["confirm"]["title"]["text"] == "End this mentorship?" and end["style"] == "danger"
    view = after_home_change(bot, MAYA, lambda: bot.driver.click(MAYA, HOME_END))
    text = home_text(bot, view)
    assert "No mentorship is running for you right now" in text and "Earlier mentorships" in text
    assert "Omar (your mentor) — ended" in text
    assert pair(bot, pair_id).status == "ended"
    told = wait_dm(bot, OMAR, "ended")
    assert told.startswith("*Maya* ended your mentorship.")
    assert rows(bot, pair_id, "nudge") == [] and rows(bot, pair_id, "reflection_prompt") == []
    run_days(bot, 10, step=timedelta(hours=4))
    assert not [t for t in dms(bot, MAYA) + dms(bot, OMAR) if t.startswith(NUDGE)]


def test_goals_marked_done_reopened_and_added_from_home(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    open_home(bot, OMAR)
    view = open_home(bot, MAYA)
    first = next(b for b in view.blocks if "Lead a design review" in str(b))
    view = after_home_change(
        bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_DONE, block_id=first["block_id"])
    )
    assert "✅ ~Lead a design review~" in home_text(bot, view)
    wait_for(lambda: "✅ ~Lead a design review~" in home_now(bot, OMAR), what="Omar's Home")
    with bot.sessions() as s:
        goal = s.scalars(select(Goal).where(Goal.text == "Lead a design review")).one()
        assert goal.status == "done"
    view = after_home_change(bot, MAYA, lambda: bot.driver.click(MAYA, HOME_GOAL_REOPEN))
    assert "◻️ Lead a design review" in home_text(bot, view)
    bot.driver.click(MAYA, HOME_GOAL_ADD)
    modal = wait_for(lambda: bot.standin.views_for(MAYA), what="the goal modal")[-1]
    assert modal.title == "Add a goal"
    view = after_home_change(
        bot, MAYA, lambda: bot.driver.submit_view(MAYA, modal.id, {"Goal": "Give a tech talk"})
    )
    assert "◻️ Give a tech talk  _(Maya)_" in home_text(bot, view)
    with bot.sessions() as s:
        added = s.scalars(select(Goal).where(Goal.text == "Give a tech talk")).one()
        assert (added.pair_id, added.owner, added.status) == (pair_id, "mentee", "open")


def test_deactivated_user_pauses_the_pair_and_the_other_is_told_once(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    event = bot.driver.change_user(MAYA, deleted=True)
    assert event.status == 200
    wait_for(lambda: pair(bot, pair_id).status == "paused", what="the pause")
    assert pair(bot, pair_id).paused_until is None  # until someone resumes it
    told = wait_dm(bot, OMAR, "deactivated")
    assert "*Maya*'s Slack account was deactivated, so I've paused your mentorship" in told
    again = bot.driver.send_event(
        {"type": "user_change", "user": {"id": MAYA, "deleted": True, "tz": "America/New_York"}},
        event_id=event.event_id,
        retry_num=1,
    )
    assert again.status == 200
    run_days(bot, 10, step=timedelta(hours=4))
    assert len([t for t in dms(bot, OMAR) if "deactivated" in t]) == 1
    assert not [t for t in dms(bot, OMAR) if t.startswith(NUDGE)]


def test_time_zone_change_moves_waiting_messages_to_the_new_local_time(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()

    def first(kind: str, user: str) -> datetime:
        return next(r.due_at for r in rows(bot, pair_id, kind) if r.recipient_id == user)

    # 24 hours before 15:00 Berlin is 09:00 in New York: a fine time to be reminded.
    assert first("nudge", MAYA) == datetime(2027, 3, 8, 14, tzinfo=UTC)
    omar_before = first("nudge", OMAR)
    assert bot.driver.change_user(MAYA, tz="Asia/Tokyo").status == 200
    # In Tokyo that would be 23:00, so the nudge moves to 08:00 her time on the day.
    wait_for(
        lambda: first("nudge", MAYA) == datetime(2027, 3, 8, 23, tzinfo=UTC),
        what="Maya's nudge to move",
    )
    assert first("followup", MAYA) == datetime(2027, 3, 9, 23, tzinfo=UTC)  # 08:00 next morning
    assert first("nudge", OMAR) == omar_before
    run_days(bot, 8, step=timedelta(hours=1))
    [nudge] = [t for t in dms(bot, MAYA) if t.startswith(NUDGE)]
    assert "Tue 9 Mar at 23:00" in nudge  # the fallback is in her new zone


def test_the_meeting_right_after_a_pause_is_nudged_once_in_waking_hours(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    run_days(bot, 8)  # Tue 9 Mar 08:00 UTC: that day's nudges are out
    assert "until Tue 23 Mar 2027" in command(bot, MAYA, "pause 2")
    # The 23 Mar meeting (15:00 Berlin) comes after the pause; its nudges were due on the 22nd,
    # in the pause, so they wait for its end (midnight UTC) — and for Omar's morning in Berlin.
    due = {r.recipient_id: r.due_at for r in rows(bot, pair_id, "nudge")}
    assert due == {
        MAYA: datetime(2027, 3, 23, 0, tzinfo=UTC),  # 20:00 the evening before in New York
        OMAR: datetime(2027, 3, 23, 7, tzinfo=UTC),  # 08:00 in Berlin
    }
    run_days(bot, 15, step=timedelta(hours=2))
    for user in (MAYA, OMAR):
        nudges = [t for t in dms(bot, user) if t.startswith(NUDGE)]
        assert len(nudges) == 2 and "Tue 9 Mar" in nudges[0] and "Tue 23 Mar" in nudges[1]


def test_start_a_mentorship_from_the_home_tab(bot: Bot) -> None:
    """Lena has no mentorship; she starts one from her Home tab and sees it there at once."""
    home = open_home(bot, LENA)
    assert "Two ways to start" in home_text(bot, home)  # her first visit: how it works
    before = len(bot.standin.views_for(LENA, include_closed=True))
    assert bot.driver.click(LENA, HOME_START).status == 200
    modal = wait_for(
        lambda: bot.standin.views_for(LENA, include_closed=True)[before:], what="the plan modal"
    )[-1]
    assert modal.callback_id == "plan_submit" and modal.title == "Start a mentorship"
    plan = {**PLAN, "Mentor": LENA, "Mentee": MAYA, "Time zone": None}
    home = after_home_change(bot, LENA, lambda: bot.driver.submit_view(LENA, modal.id, plan))
    text = home_text(bot, home)
    assert "Mentoring Maya" in text and "➕ Start another" in text
    assert "Every other Tuesday at 15:00 (Asia/Tokyo)" in text  # Lena's own zone, left empty


def test_a_plan_form_that_did_not_open_is_said_on_the_home_not_in_a_dm(bot: Bot) -> None:
    open_home(bot, LENA)
    bot.standin.fail_next("views.open", "expired_trigger_id")
    view = after_home_change(bot, LENA, lambda: bot.driver.click(LENA, HOME_START))
    assert home_notice(bot, LENA) == FORM_DID_NOT_OPEN
    assert "Start a mentorship" in home_text(bot, view) and dms(bot, LENA) == []
