"""Input the bot used to accept and should not (issue 11): goals of only zero-width characters,
a goal longer than the form allows, a DM as the announcement channel, a replayed Add-a-goal
submission, and a `user_change` whose `deleted` is not a boolean. Each is sent through the
stand-in as a person (or a tampering client) would."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.home.view import HOME_GOAL_ADD
from storage.models import Goal, Pair, Person
from tests.kit.home import after_home_change, dms, home_text, open_home, pair, start
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, joiners, word joiner, BOM


def errors_of(response: Any) -> dict[str, str]:
    assert response.status == 200, response.body
    assert response.json is not None and response.json["response_action"] == "errors"
    return dict(response.json["errors"])


def pairs(bot: Bot) -> int:
    with bot.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Pair)) or 0)


def goals_named(bot: Bot, text: str) -> int:
    with bot.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Goal).where(Goal.text == text)) or 0)


def test_goals_and_vision_of_zero_width_characters_count_as_empty(bot: Bot) -> None:
    response = bot.start_plan(
        OMAR,
        {
            **PLAN,
            "Mentee's goals": f"{INVISIBLE}\n- \u200b\n{INVISIBLE}",
            "Mentor's goals": f"\u200b\nPractise giving feedback\n{INVISIBLE}",
            "Shared vision": f" {INVISIBLE} ",
        },
    )
    errors = errors_of(response)
    assert errors == {"mentee_goals": "Please fill this in.", "vision": "Please fill this in."}
    assert pairs(bot) == 0
    # The same plan with real goals: the invisible lines among the mentor's are dropped.
    view = bot.standin.views_for(OMAR)[-1]
    values = {**PLAN, "Mentor's goals": f"\u200b\nPractise giving feedback\n{INVISIBLE}"}
    assert bot.driver.submit_view(OMAR, view.id, values).json is None
    with bot.sessions() as s:
        mentor_goals = s.scalars(select(Goal.text).where(Goal.owner == "mentor")).all()
    assert mentor_goals == ["Practise giving feedback"]


def test_a_dm_is_refused_as_the_announcement_channel(bot: Bot) -> None:
    dm = bot.standin.dm_channel_id(MAYA)
    errors = errors_of(bot.start_plan(OMAR, {**PLAN, "Announcement channel": dm}))
    assert errors == {
        "announce_channel": "That's a direct message — pick a channel for the announcements, "
        "or untick the box."
    }
    assert pairs(bot) == 0


def test_add_a_goal_enforces_the_forms_limits_and_takes_a_submission_once(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    open_home(bot, MAYA)
    bot.driver.click(MAYA, HOME_GOAL_ADD)
    modal = wait_for(lambda: bot.standin.views_for(MAYA), what="the goal modal")[-1]
    # A client that ignores the input's limits, or sends only zero-width characters.
    too_long = errors_of(bot.driver.submit_view(MAYA, modal.id, {"Goal": "x" * 10_000}))
    assert too_long == {"goal": "Please keep this under 1,000 characters (it has 10,000)."}
    blank = errors_of(bot.driver.submit_view(MAYA, modal.id, {"Goal": f"{INVISIBLE}  "}))
    assert blank == {"goal": "Please write the goal."}
    with bot.sessions() as s:
        count = s.scalar(select(func.count()).select_from(Goal).where(Goal.pair_id == pair_id))
    assert count == 4  # two mentee goals, one mentor goal, the vision: nothing added
    view = after_home_change(
        bot, MAYA, lambda: bot.driver.submit_view(MAYA, modal.id, {"Goal": "Give a tech talk"})
    )
    assert "◻️ Give a tech talk  _(Maya)_" in home_text(bot, view)
    # The same signed submission again (a double click, a retrying proxy): stored once.
    view = after_home_change(bot, MAYA, bot.driver.replay_last)
    assert home_text(bot, view).count("Give a tech talk") == 1
    assert goals_named(bot, "Give a tech talk") == 1


def test_user_change_with_a_deleted_flag_that_is_not_a_boolean_pauses_nothing(bot: Bot) -> None:
    pair_id = start(bot, OMAR)
    bot.tick()
    event = {
        "type": "user_change",
        "user": {
            "id": MAYA,
            "deleted": "false",
            "real_name": "Maya Reis",
            "profile": {"real_name": "Maya Reis"},
            "tz": "America/New_York",
        },
        "event_ts": "1804000000.000100",
    }
    assert bot.driver.send_event(event).status == 200

    def name() -> str:
        with bot.sessions() as s:
            person = s.get(Person, (bot.standin.ws.team_id, MAYA))
            return person.name if person else ""

    wait_for(lambda: name() == "Maya Reis", what="the user_change event")
    assert pair(bot, pair_id).status == "active"
    with bot.sessions() as s:
        person = s.get(Person, (bot.standin.ws.team_id, MAYA))
        assert person is not None and person.deleted is False
    assert not [t for t in dms(bot, OMAR) if "deactivated" in t]
