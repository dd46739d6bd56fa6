"""Forms that can always be saved (issue 11): every goal the bot stores fits the plan form's goals
field (3,000 characters, Slack's largest input), so ✏️ Edit plan opens prefilled and saves, also
after goals were added on the Home tab; Add a goal says how much room is left."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.domain.plan import (
    MAX_GOALS,
    MAX_GOALS_TEXT,
    MAX_TEXT,
    goal_lines,
    goal_room,
    goals_problem,
    one_goal,
)
from bot.home.view import HOME_EDIT, HOME_GOAL_ADD
from bot.plans.goals import room_problem
from storage.models import Goal
from tests.kit.home import home_now, open_home, start
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for

GOAL = st.text(st.sampled_from("ab -*•\n\u2028\t"), min_size=1, max_size=MAX_TEXT)


@given(st.lists(GOAL, max_size=MAX_GOALS + 2), GOAL)
def test_a_goal_the_home_accepts_keeps_the_goals_within_the_form(raw: list[str], new: str) -> None:
    """Whatever was stored and whatever is typed into Add a goal: once accepted, the person's
    goals one per line are a goals field the plan form accepts (and Slack can prefill)."""
    theirs: list[str] = []
    for text in raw:
        goal = one_goal(text)
        if goal and room_problem(goal, theirs) is None:
            theirs.append(goal)
    goal = one_goal(new)
    if not goal or room_problem(goal, theirs) is not None:
        return
    field = "\n".join([*theirs, goal])
    assert len(field) <= MAX_GOALS_TEXT and goals_problem(field) is None
    assert goal_lines(field) == (*theirs, goal)  # read back by the edit form unchanged


@given(st.text())
def test_reading_goals_back_changes_nothing(text: str) -> None:
    once = goal_lines(text)
    assert goal_lines("\n".join(once)) == once
    goal = one_goal(text)
    assert goal_lines(goal) == ((goal,) if goal else ())


def test_the_room_left_is_what_the_field_has_left() -> None:
    assert goal_room([]) == MAX_TEXT
    assert goal_room(["x" * 999] * 2) == MAX_GOALS_TEXT - 2 * 999 - 2  # 1,000 with newlines: 1000
    assert goal_room(["x" * 999] * 3) == 0
    assert room_problem("y" * 3, ["x" * 999] * 3) == (
        "That goal has 3 characters, and these goals have room for 0 more (3,000 in all). "
        "Shorten it, or tighten the others with ✏️ Edit plan."
    )
    assert room_problem("y" * 10_000, []) == (
        "Please keep this under 1,000 characters (it has 10,000)."
    )


def add_goal(bot: Bot, user: str, text: str) -> dict[str, object] | None:
    before = len(bot.standin.views_for(user, include_closed=True))
    assert bot.driver.click(user, HOME_GOAL_ADD).status == 200
    modal = wait_for(
        lambda: bot.standin.views_for(user, include_closed=True)[before:], what="the goal modal"
    )[-1]
    response = bot.driver.submit_view(user, modal.id, {"Goal": text})
    assert response.status == 200, response.body
    return response.json


def test_goals_added_on_the_home_still_open_and_save_in_the_edit_form(bot: Bot) -> None:
    """Before: three 900-character goals added on the Home made the edit form's prefill 2,700+
    characters in a 1,000-character input, and Slack refused to open it."""
    pair_id = start(bot, OMAR, **{"Mentee's goals": "Lead a design review"})
    open_home(bot, MAYA)
    for n in range(3):
        assert add_goal(bot, MAYA, f"{n}" * 900) is None
    refused = add_goal(bot, MAYA, "4" * 900)
    assert refused is not None
    assert refused["errors"] == {
        "goal": "That goal has 900 characters, and these goals have room for 276 more "
        "(3,000 in all). Shorten it, or tighten the others with ✏️ Edit plan."
    }
    before = len(bot.standin.views_for(OMAR, include_closed=True))
    open_home(bot, OMAR)
    assert bot.driver.click(OMAR, HOME_EDIT).status == 200
    modal = wait_for(
        lambda: bot.standin.views_for(OMAR, include_closed=True)[before:], what="the edit form"
    )[-1]
    goals = next(b for b in modal.blocks if b.get("block_id") == "mentee_goals")["element"]
    wanted = "\n".join(["Lead a design review", "0" * 900, "1" * 900, "2" * 900])
    assert goals["initial_value"] == wanted and goals["max_length"] == MAX_GOALS_TEXT
    saved = bot.driver.submit_view(OMAR, modal.id, {"Meeting time": "16:00"})
    assert saved.status == 200 and not saved.body.strip(), saved.body
    # Both Homes show the edit (and nothing is left in flight when the test ends).
    wait_for(lambda: "at 16:00" in home_now(bot, OMAR), what="Omar's Home")
    wait_for(lambda: "at 16:00" in home_now(bot, MAYA), what="Maya's Home")
    with bot.sessions() as s:
        texts = s.scalars(select(Goal.text).where(Goal.pair_id == pair_id, Goal.owner == "mentee"))
        assert "\n".join(texts) == wanted


def test_the_goals_field_takes_three_thousand_characters_and_each_goal_one_thousand() -> None:
    assert goals_problem("\n".join(["x" * 999] * 3)) is None  # before: over 1,000 was refused
    assert goals_problem("x" * 1001) == (
        "Please keep each goal under 1,000 characters (goal 1 has 1,001)."
    )
    assert goals_problem("\n".join(["x" * 999] * 3) + "\nmore") == (
        "Please keep this under 3,000 characters (it has 3,004)."
    )
    assert goals_problem("\n".join(["g"] * (MAX_GOALS + 1))) == (
        "Up to 10 goals, one per line — pick the ones that matter most."
    )
