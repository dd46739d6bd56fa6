"""Plan validation rules and the plan modal's builder and parser."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain.plan import (
    MAX_TEXT,
    PersonFacts,
    PlanForm,
    add_months,
    channel_problem,
    goal_lines,
    goal_problem,
    is_blank,
    validate_plan,
)
from bot.plans.form import parse_plan_state
from bot.plans.modal import (
    ACTION,
    CALLBACK_ID,
    LABELS,
    build_plan_modal,
    start_modal_view,
)
from tests.kit.plans import plan_form

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
PEOPLE = {
    "UA": PersonFacts("UA", "Omar"),
    "UB": PersonFacts("UB", "Maya"),
    "UBOT": PersonFacts("UBOT", "Robot", is_bot=True),
    "UGONE": PersonFacts("UGONE", "Gone", deleted=True),
}
GOOD = plan_form(  # the kit's plan, biweekly over six months, two goals in list marks
    mentee_goals="- Lead a design review\n\n* Learn Rust async",
    cadence="biweekly",
    first_date=date(2027, 3, 9),
    channels=("chat", "calls"),
    duration_months=6,
)


def check(form: PlanForm, exists: bool = False) -> dict[str, str]:
    plan, errors = validate_plan(form, now=NOW, people=PEOPLE, open_pair_exists=exists)
    assert (plan is None) == bool(errors)
    return errors


def test_valid_plan() -> None:
    plan, errors = validate_plan(GOOD, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert errors == {}
    assert plan is not None
    assert plan.mentee_goals == ("Lead a design review", "Learn Rust async")
    assert plan.end_date == date(2027, 9, 9)
    assert plan.channels == ("chat", "calls")
    assert plan.monthly_mode == "weekday_position"


def test_monthly_day_maps_to_day_of_month() -> None:
    plan, _ = validate_plan(
        replace(GOOD, cadence="monthly_day"), now=NOW, people=PEOPLE, open_pair_exists=False
    )
    assert plan is not None and (plan.cadence, plan.monthly_mode) == ("monthly", "day_of_month")


def test_end_date_wins_over_duration() -> None:
    plan, _ = validate_plan(
        replace(GOOD, end_date=date(2027, 5, 1)), now=NOW, people=PEOPLE, open_pair_exists=False
    )
    assert plan is not None and plan.end_date == date(2027, 5, 1)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"mentor_id": None}, "mentor", "fill"),
        ({"mentee_goals": "  "}, "mentee_goals", "fill"),
        ({"vision": None}, "vision", "fill"),
        ({"first_date": None}, "first_date", "fill"),
        ({"channels": ()}, "channels", "at least one"),
        ({"mentee_id": "UA"}, "mentee", "two different people"),
        ({"mentee_id": "UBOT"}, "mentee", "bot"),
        ({"mentor_id": "UGONE"}, "mentor", "deactivated"),
        ({"mentor_id": "UNKNOWN"}, "mentor", "can't find"),
        ({"first_date": date(2027, 2, 28)}, "first_date", "past"),
        ({"first_date": date(2027, 3, 1), "meeting_time": time(8, 0)}, "meeting_time", "passed"),
        ({"end_date": date(2027, 3, 8)}, "end_date", "before the first meeting"),
        ({"duration_months": None}, "end_date", "duration or an end date"),
        ({"end_date": date(2031, 1, 1)}, "end_date", "three years"),
        ({"tz": "Mars/Olympus_Mons"}, "tz", "don't know the time zone"),
        ({"mentee_goals": "x" * (MAX_TEXT + 1)}, "mentee_goals", "under 1,000"),
        ({"vision": "y" * (MAX_TEXT + 5)}, "vision", "under 1,000"),
        ({"mentor_goals": "\n".join(["g"] * 11)}, "mentor_goals", "Up to 10"),
        ({"cadence": "hourly"}, "cadence", "weekly"),
        ({"format": "telepathy"}, "format", "in person"),
        ({"announce": True}, "announce_channel", "channel"),
    ],
)
def test_each_rule_names_its_field(change: dict[str, Any], field: str, words: str) -> None:
    errors = check(replace(GOOD, **change))
    assert field in errors, errors
    assert words.lower() in errors[field].lower()


def test_existing_mentorship_is_an_error_on_mentee() -> None:
    assert "already have an active mentorship" in check(GOOD, exists=True)["mentee"]


def test_past_is_judged_in_the_plans_zone() -> None:
    # 08:00 UTC on 1 Mar is still 28 Feb evening... no: 03:00 on 1 Mar in New York.
    # 2 Mar 00:30 in Auckland is 1 Mar 11:30 UTC; at 08:00 UTC it's 21:00 on 1 Mar there.
    assert "first_date" not in check(
        replace(GOOD, tz="Pacific/Auckland", first_date=date(2027, 3, 1), meeting_time=time(22, 0))
    )
    assert "meeting_time" in check(
        replace(GOOD, tz="Pacific/Auckland", first_date=date(2027, 3, 1), meeting_time=time(20, 0))
    )


def test_goal_lines_and_add_months() -> None:
    assert goal_lines(" - a\n\n•b \n* c") == ("a", "b", "c")
    assert goal_lines(None) == ()
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)


def _state_for(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {block_id: {ACTION: value} for block_id, value in values.items()}


def test_modal_has_plain_labels_and_valid_block_kit() -> None:
    view = build_plan_modal(mentor_id="UA", mentee_id="UB", tz="Asia/Tokyo")
    assert isinstance(view, View)
    data = view.to_dict()  # validates Slack's limits while serialising
    assert data["callback_id"] == CALLBACK_ID
    assert len(data["title"]["text"]) <= 24
    assert len(data["blocks"]) <= 100
    labels = [b["label"]["text"].lower() for b in data["blocks"] if b["type"] == "input"]
    for word in (
        "mentor",
        "mentee",
        "goals",
        "vision",
        "cadence",
        "first meeting",
        "time",
        "time zone",
        "format",
        "channels",
        "announce",
    ):
        assert any(word in label for label in labels), word
    by_id = {b["block_id"]: b for b in data["blocks"] if b["type"] == "input"}
    assert by_id["mentor"]["element"]["initial_user"] == "UA"
    assert by_id["mentee"]["element"]["initial_user"] == "UB"
    assert by_id["tz"]["element"]["initial_value"] == "Asia/Tokyo"
    assert set(by_id) == set(LABELS)
    assert len(json.dumps(data)) < 250_000


@pytest.mark.parametrize(
    ("mentor", "mentee", "tz"),
    [(None, None, None), ("UA", None, "Asia/Tokyo"), ("UA", "UB", None), (None, "UB", "UTC")],
)
def test_start_view_from_template_is_the_built_modal(
    mentor: str | None, mentee: str | None, tz: str | None
) -> None:
    metadata = {"channel_id": "D123"}
    fast = start_modal_view(mentor_id=mentor, mentee_id=mentee, tz=tz, private_metadata=metadata)
    built = build_plan_modal(
        mentor_id=mentor, mentee_id=mentee, tz=tz, private_metadata=metadata
    ).to_dict()
    assert fast == built
    # Prefilling one view never leaks into the next.
    empty = start_modal_view(mentor_id=None, mentee_id=None, tz=None, private_metadata={})
    assert empty == build_plan_modal(private_metadata={}).to_dict()


def test_parse_state_round_trip() -> None:
    values = _state_for(
        {},
        {
            "mentor": {"type": "users_select", "selected_user": "UA"},
            "mentee": {"type": "users_select", "selected_user": "UB"},
            "mentee_goals": {"type": "plain_text_input", "value": "Lead a design review"},
            "mentor_goals": {"type": "plain_text_input", "value": None},
            "vision": {"type": "plain_text_input", "value": "Grow"},
            "cadence": {"type": "static_select", "selected_option": {"value": "weekly"}},
            "first_date": {"type": "datepicker", "selected_date": "2027-03-09"},
            "meeting_time": {"type": "timepicker", "selected_time": "15:30"},
            "tz": {"type": "plain_text_input", "value": "Europe/Berlin"},
            "format": {"type": "static_select", "selected_option": {"value": "hybrid"}},
            "channels": {"type": "checkboxes", "selected_options": [{"value": "email"}]},
            "duration": {"type": "static_select", "selected_option": None},
            "end_date": {"type": "datepicker", "selected_date": "2027-06-01"},
            "checkpoint_weeks": {"type": "static_select", "selected_option": {"value": "4"}},
            "announce_channel": {"type": "conversations_select", "selected_conversation": "C1"},
            "announce": {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
        },
    )
    form = parse_plan_state(values)
    assert form.mentor_id == "UA" and form.mentee_id == "UB"
    assert form.first_date == date(2027, 3, 9) and form.meeting_time == time(15, 30)
    assert form.channels == ("email",) and form.duration_months is None
    assert form.end_date == date(2027, 6, 1) and form.checkpoint_weeks == 4
    assert form.announce_channel == "C1" and form.announce is True


def test_parse_state_tolerates_garbage() -> None:
    form = parse_plan_state({"first_date": {ACTION: {"selected_date": "not-a-date"}}, "x": 5})
    assert form.first_date is None and form.mentor_id is None


ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e\u3164\u2800"


@pytest.mark.parametrize("text", ["", "   ", ZERO_WIDTH, f" {ZERO_WIDTH}\n\t", "\u0301\ufe0f"])
def test_blank_text_includes_zero_width_characters(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", ["a", "\u200bx", "❤️", "🏴\U000e0067\U000e0062\U000e007f", "-"])
def test_visible_text_is_not_blank(text: str) -> None:
    assert not is_blank(text)


def test_zero_width_goals_and_vision_count_as_empty() -> None:
    form = replace(GOOD, mentee_goals=f"{ZERO_WIDTH}\n- \u200b", vision=ZERO_WIDTH)
    assert check(form) == {"mentee_goals": "Please fill this in.", "vision": "Please fill this in."}
    plan, _ = validate_plan(
        replace(GOOD, mentor_goals="\u200b\nPractise feedback\n\u2060"),
        now=NOW,
        people=PEOPLE,
        open_pair_exists=False,
    )
    assert plan is not None and plan.mentor_goals == ("Practise feedback",)


def test_one_goal_follows_the_forms_rules() -> None:
    assert goal_problem("Give a tech talk") is None
    assert goal_problem("x" * MAX_TEXT) is None
    assert goal_problem(ZERO_WIDTH) == goal_problem("- ") == goal_problem(None)
    assert goal_problem(ZERO_WIDTH) == "Please write the goal."
    assert goal_problem("x" * 10_000) == "Please keep this under 1,000 characters (it has 10,000)."


@pytest.mark.parametrize(
    ("channel", "ok"),
    [
        (None, True),
        ("C0MENTOR01", True),
        ("G0PRIVATE1", True),
        ("D0MAYA0001", False),
        ("U0MAYA0001", False),
        ("C" + "0" * 40, False),
        ("#mentoring", False),
    ],
)
def test_the_announcement_channel_must_be_a_channel(channel: str | None, ok: bool) -> None:
    assert (channel_problem(channel) is None) == ok
    errors = check(replace(GOOD, announce_channel=channel, announce=channel is not None))
    assert ("announce_channel" not in errors) == ok


def test_meeting_length_defaults_to_30_minutes_and_takes_only_the_offered_lengths() -> None:
    plan, _ = validate_plan(GOOD, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert plan is not None and plan.meeting_minutes == 30
    plan, _ = validate_plan(
        replace(GOOD, meeting_minutes=90), now=NOW, people=PEOPLE, open_pair_exists=False
    )
    assert plan is not None and plan.meeting_minutes == 90
    assert (
        "from 15 minutes to 2 hours" in check(replace(GOOD, meeting_minutes=999))["meeting_minutes"]
    )
    view = build_plan_modal(form=replace(GOOD, meeting_minutes=45)).to_dict()
    (length,) = [b for b in view["blocks"] if b.get("block_id") == "meeting_minutes"]
    assert length["element"]["initial_option"]["value"] == "45"
    state = {"meeting_minutes": {ACTION: {"selected_option": {"value": "60"}}}}
    assert parse_plan_state(state).meeting_minutes == 60
