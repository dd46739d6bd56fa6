"""The two shortcuts, sent as Slack sends them: "Start a mentorship" (global) opens the plan
form, "Add as a goal" (on a message) turns the message's text into a goal of a mentorship the
person is in, picking the mentorship when there are several."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.plans.from_message import CLIPPED, NO_TEXT, NOT_IN_A_MENTORSHIP
from bot.standin import RecordedMessage, StoredView
from bot.workspaces.manifest import GOAL_SHORTCUT, SHORTCUTS, START_SHORTCUT
from storage.models import Goal, Pair
from tests.kit.home import NINA, home_now, start
from tests.kit.plans import PLAN
from tests.kit.workspace import LENA, MAYA, OMAR, Bot, wait_for

TALK = "C0TALK0001"


@pytest.fixture
def talk(bot: Bot) -> str:
    """A channel Omar, Maya, Lena and Nina are in."""
    bot.standin.add_user(NINA, "nina", real_name="Nina", tz="Europe/Lisbon")
    bot.standin.add_channel(TALK, "team-talk", members=[OMAR, MAYA, LENA, NINA])
    return TALK


def post(bot: Bot, user: str, text: str, channel: str = TALK) -> RecordedMessage:
    """Someone writes in a channel (the bot hears nothing of it: it is not subscribed)."""
    _, ts = bot.driver.send_message_event(user, channel_id=channel, text=text)
    found = bot.standin.ws.find_message(channel, ts)
    assert found is not None
    return found


def new_view(bot: Bot, user: str, act: Any) -> StoredView:
    """Do something, then return the modal it opened."""
    before = len(bot.standin.views_for(user, include_closed=True))
    response = act()
    assert response.status == 200 and not response.body.strip(), response.body
    return wait_for(
        lambda: bot.standin.views_for(user, include_closed=True)[before:], what="a modal"
    )[-1]


def add_as_goal(bot: Bot, user: str, message: RecordedMessage) -> StoredView:
    return new_view(
        bot,
        user,
        lambda: bot.driver.message_shortcut(user, GOAL_SHORTCUT, message, "Add as a goal"),
    )


def goals(bot: Bot, pair_id: int) -> list[tuple[str, str]]:
    with bot.sessions() as s:
        rows = s.scalars(select(Goal).where(Goal.pair_id == pair_id).order_by(Goal.position))
        return [(g.owner, g.text) for g in rows]


def said(view: StoredView) -> str:
    return str(view.blocks[0]["text"]["text"])


def test_the_global_shortcut_opens_the_plan_form(bot: Bot) -> None:
    modal = new_view(
        bot, LENA, lambda: bot.driver.global_shortcut(LENA, START_SHORTCUT, "Start a mentorship")
    )
    assert modal.callback_id == "plan_submit" and modal.title == "Start a mentorship"
    plan = {**PLAN, "Mentor": LENA, "Mentee": MAYA}
    response = bot.driver.submit_view(LENA, modal.id, plan)
    assert response.status == 200 and not response.body.strip(), response.body
    with bot.sessions() as s:
        [pair] = s.scalars(select(Pair)).all()
    assert (pair.mentor_id, pair.mentee_id, pair.creator_id) == (LENA, MAYA, LENA)
    assert "used the shortcut 'Start a mentorship'" in "\n".join(bot.standin.transcript())


def test_a_message_becomes_a_goal_of_your_one_mentorship(bot: Bot, talk: str) -> None:
    pair_id = start(bot, OMAR)  # Omar mentors Maya
    message = post(
        bot, MAYA, "I'd like to *present at the all-hands* &amp; ask <@U0OMAR0001> for\nfeedback"
    )
    modal = add_as_goal(bot, OMAR, message)
    goal = modal.view["blocks"][0]["element"]
    assert (
        goal["initial_value"] == "I'd like to *present at the all-hands* & ask @Omar for feedback"
    )
    assert json.loads(modal.view["private_metadata"])["pair_id"] == pair_id
    # Whose goal: Omar's own by default; he says it is Maya's.
    response = bot.driver.submit_view(OMAR, modal.id, {"Whose goal is it?": "mentee"})
    assert response.status == 200 and response.json is not None
    assert response.json["response_action"] == "update"  # the modal says what was added
    assert said(bot.standin.view(modal.id)).startswith(
        "✅ Added “I'd like to *present at the all-hands* &amp; ask @Omar for feedback” to your "
        "mentorship with *Maya*."
    )
    assert ("mentee", "I'd like to *present at the all-hands* & ask @Omar for feedback") in goals(
        bot, pair_id
    )
    wait_for(lambda: "present at the all-hands" in home_now(bot, MAYA), what="Maya's Home")


def test_with_several_mentorships_you_pick_one(bot: Bot, talk: str) -> None:
    with_maya = start(bot, LENA, Mentor=LENA, Mentee=MAYA)
    with_nina = start(bot, LENA, Mentor=LENA, Mentee=NINA)
    modal = add_as_goal(bot, LENA, post(bot, NINA, "Give a lightning talk"))
    options = modal.view["blocks"][0]["element"]["options"]
    assert {o["text"]["text"] for o in options} == {"Mentoring Maya", "Mentoring Nina"}
    # No mentorship chosen: Slack itself refuses an empty required select, so it is sent empty
    # only by a tampering client; the bot refuses it too and stores nothing.
    refused = bot.driver.submit_view(LENA, modal.id, {"Mentorship": None})
    assert refused.json is not None and refused.json["response_action"] == "errors"
    assert refused.json["errors"] == {"pair": "Please choose a mentorship."}
    response = bot.driver.submit_view(
        LENA, modal.id, {"Mentorship": str(with_nina), "Whose goal is it?": "My partner's goal"}
    )
    assert response.status == 200
    assert ("mentee", "Give a lightning talk") in goals(bot, with_nina)  # Nina's: the partner's
    assert "Give a lightning talk" not in str(goals(bot, with_maya))


def test_the_shortcut_says_why_when_it_cannot_help(bot: Bot, talk: str) -> None:
    modal = add_as_goal(bot, LENA, post(bot, MAYA, "Learn Rust"))  # Lena is in no mentorship
    assert said(modal) == NOT_IN_A_MENTORSHIP and modal.view.get("submit") is None
    pair_id = start(bot, OMAR)
    before = goals(bot, pair_id)
    _, ts = bot.driver.send_message_event(MAYA, channel_id=TALK, text="", subtype="file_share")
    file_only = bot.standin.ws.find_message(TALK, ts)  # a file and no words
    assert file_only is not None
    assert said(add_as_goal(bot, OMAR, file_only)) == NO_TEXT
    assert goals(bot, pair_id) == before


def test_a_long_message_is_cut_to_a_goals_length_and_says_so(bot: Bot, talk: str) -> None:
    pair_id = start(bot, OMAR)
    modal = add_as_goal(bot, OMAR, post(bot, MAYA, "word " * 400))
    element = modal.view["blocks"][0]["element"]
    assert len(element["initial_value"]) <= element["max_length"] == 1000
    assert element["initial_value"].endswith("…")
    assert CLIPPED in str(modal.view["blocks"])
    bot.driver.submit_view(OMAR, modal.id, {})
    assert max(len(text) for _, text in goals(bot, pair_id)) <= 1000


def test_a_tampered_pair_id_adds_nothing(bot: Bot, talk: str) -> None:
    own = start(bot, LENA, Mentor=LENA, Mentee=NINA)
    target = start(bot, OMAR)
    modal = add_as_goal(bot, LENA, post(bot, MAYA, "Take over the team"))
    forged = {**modal.view, "private_metadata": json.dumps({"pair_id": target, "from": "message"})}
    bot.standin.view(modal.id).view.update(forged)
    response = bot.driver.submit_view(LENA, modal.id, {})
    assert response.json is not None and response.json["response_action"] == "errors"
    assert "Take over the team" not in str(goals(bot, target)) + str(goals(bot, own))


def test_the_shortcuts_are_in_the_manifest_with_the_ids_the_bot_listens_for() -> None:
    assert {(s["type"], s["callback_id"], s["name"]) for s in SHORTCUTS} == {
        ("global", START_SHORTCUT, "Start a mentorship"),
        ("message", GOAL_SHORTCUT, "Add as a goal"),
    }
