"""A message's text as a goal (pure parts): Slack's markup read as people read it, and the goal
modals and their submissions."""

from __future__ import annotations

import json

from bot.plans.from_message import goal_text
from bot.plans.goal_modal import (
    MINE,
    THEIRS,
    build_goal_modal,
    build_goal_modal_choosing,
    info_modal,
    parse_goal_modal,
)
from bot.standin.blockkit import view_errors
from bot.standin.payloads import state_values


def test_slack_markup_becomes_what_people_read() -> None:
    names = {"U0OMAR0001": "Omar"}
    text = (
        "Ask <@U0OMAR0001> and <@U0MAYA0001|maya> in <#C0MENTOR01|mentoring>, <!here>: "
        "<https://example.com/talk|the talk> &amp; <https://example.com> by "
        "<!date^1800000000^{date}|15 Jan 2027> — 3 &lt; 5 &gt; 2\n\n  twice"
    )
    assert goal_text(text, names) == (
        "Ask @Omar and @maya in #mentoring, @here: the talk & https://example.com by "
        "15 Jan 2027 — 3 < 5 > 2 twice"
    )
    assert goal_text("<@U0NOBODY01>", {}) == "@U0NOBODY01"  # not cached: the id, never a lookup
    assert goal_text("  \n ", {}) == ""


def test_the_modal_for_one_mentorship_is_prefilled_and_round_trips() -> None:
    view = build_goal_modal(
        7, {"mentee": "Maya", "mentor": "Omar"}, "mentor", initial="Give a talk", note="cut"
    ).to_dict()
    assert view_errors(view) == []
    assert json.loads(view["private_metadata"]) == {"pair_id": 7, "from": "message"}
    submitted = {**view, "state": {"values": state_values(view, {}, lambda r: r)}}
    assert parse_goal_modal(submitted) == (7, "Give a talk", "mentor")


def test_the_modal_for_several_mentorships_asks_which_and_whose() -> None:
    view = build_goal_modal_choosing([(3, "Mentoring Maya"), (4, "Mentored by Lena")], "Ship it")
    as_dict = view.to_dict()
    assert view_errors(as_dict) == []
    values = state_values(as_dict, {"Mentorship": "4", "Whose goal is it?": THEIRS}, lambda r: r)
    assert parse_goal_modal({**as_dict, "state": {"values": values}}) == ("4", "Ship it", THEIRS)
    untouched = state_values(as_dict, {}, lambda r: r)
    assert parse_goal_modal({**as_dict, "state": {"values": untouched}}) == (None, "Ship it", MINE)


def test_an_info_modal_only_says_something() -> None:
    view = info_modal("y" * 4000).to_dict()
    assert view_errors(view) == [] and "submit" not in view
    assert len(view["blocks"][0]["text"]["text"]) == 3000
