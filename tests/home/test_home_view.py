"""Pure builders of the Home tab, the report and the command pickers, checked with `.to_dict()`
against Slack's limits as the stand-in enforces them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.domain.plan import validate_plan
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard
from bot.home.view import (
    HOME_PAUSE,
    HOME_PAUSE_FOR,
    HOME_RESUME,
    HOME_START,
    build_home,
)
from bot.pairs.messages import CMD_END, CMD_PAUSE, START_HINT, picker
from bot.plans.edit import edit_modal, form_from_pair
from bot.plans.form import parse_plan_state
from bot.reports.report import PairLine, ProgramReport
from bot.reports.view import report_blocks
from bot.standin.blockkit import view_errors
from bot.standin.payloads import state_values
from storage.models import Goal, Pair
from storage.report import PairCounts

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)


def card(pair_id: int, *, status: str = "active", goals: int = 3) -> PairCard:
    return PairCard(
        pair_id=pair_id,
        role="mentee",
        partner_name=f"Partner {pair_id}",
        status=status,
        paused_until=date(2027, 3, 15) if status == "paused" else None,
        next_meeting=datetime(2027, 3, 9, 14, tzinfo=UTC),
        reader_tz="America/New_York",
        partner_tz="Europe/Berlin",
        rhythm="every other Tuesday at 15:00 (Europe/Berlin)",
        format="online",
        channels=("chat", "calls"),
        end_date=date(2027, 9, 9),
        vision="Lead the next launch",
        goals=tuple(GoalItem(pair_id * 100 + i, "Maya", f"Goal {i}", i == 0) for i in range(goals)),
        milestones=(
            MilestoneItem("Kickoff", date(2027, 3, 9), True),
            *(MilestoneItem(f"Checkpoint {i} of 6", date(2027, 4, i), i == 1) for i in range(1, 7)),
            MilestoneItem("Final review", date(2027, 9, 9), False),
        ),
    )


def elements(view: dict) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for block in view["blocks"]:
        found += [e for e in [block.get("accessory"), *(block.get("elements") or [])] if e]
    return found


def test_someone_without_a_mentorship_sees_how_to_start_one() -> None:
    view = build_home(HomeData(cards=())).to_dict()
    assert view["type"] == "home" and view_errors(view) == []
    assert START_HINT in str(view)
    [start] = [e for e in elements(view) if "action_id" in e]  # the one button: start one here
    assert start["action_id"] == HOME_START and "value" not in start


def test_a_card_offers_pause_or_resume_and_carries_only_ids() -> None:
    active = build_home(HomeData(cards=(card(7),))).to_dict()
    assert view_errors(active) == []
    ids = {e.get("action_id"): e for e in elements(active)}
    assert HOME_PAUSE in ids and HOME_RESUME not in ids
    assert ids[HOME_PAUSE]["value"] == "7"
    assert [o["value"] for o in ids[HOME_PAUSE_FOR]["options"]] == [
        "7:1",
        "7:2",
        "7:4",
        "7:8",
        "7:12",
    ]
    text = str(active)
    assert "|Tue 9 Mar at 09:00> (15:00 for Partner 7)" in text
    assert "✅ Checkpoint 1 of 6" in text and "➡️ *Checkpoint 2 of 6*" in text and "(next)" in text
    paused = build_home(HomeData(cards=(card(7, status="paused"),))).to_dict()
    paused_ids = {e.get("action_id") for e in elements(paused)}
    assert HOME_RESUME in paused_ids and HOME_PAUSE not in paused_ids
    assert "Paused until Mon 15 Mar 2027" in str(paused) and "*Next meeting*\\n—" in str(paused)


def test_many_mentorships_stay_within_a_hundred_blocks() -> None:
    report = ProgramReport("T1", NOW, tuple(line(i, risky=True) for i in range(60)))
    data = HomeData(cards=tuple(card(i, goals=10) for i in range(1, 41)), overview=report)
    view = build_home(data).to_dict()
    assert len(view["blocks"]) <= 100 and view_errors(view) == []
    assert "More mentorships" in str(view) and "Program overview" in str(view)


def line(i: int, *, risky: bool) -> PairLine:
    return PairLine(
        team_id="T1",
        pair_id=i,
        mentor_id=f"U0MENTOR{i:02d}",
        mentor_name=f"Mentor {i}",
        mentee_id=f"U0MENTEE{i:02d}",
        mentee_name=f"Mentee {i}",
        creator_id=f"U0MENTOR{i:02d}",
        status="active",
        cadence="weekly",
        start_date=date(2027, 1, 5),
        end_date=date(2027, 6, 5),
        counts=PairCounts(planned=4, held=3, asked=2, answered=1),
        risks=("no meeting recorded since Tue 5 Jan 2027",) if risky else (),
    )


def test_the_report_lists_who_to_contact_and_cuts_long_lists() -> None:
    report = ProgramReport("T1", NOW, tuple(line(i, risky=i % 2 == 0) for i in range(40)))
    text, blocks = report_blocks(report)
    rendered = str([b.to_dict() for b in blocks])
    assert "40 active" in text and "20 at risk" in text
    assert "120 of 160 planned (75%)" in rendered and "40 of 80 prompts (50%)" in rendered
    assert "contact <@U0MENTEE00>, <@U0MENTOR00>" in rendered and "…and 5 more" in rendered
    assert view_errors({"type": "home", "blocks": [b.to_dict() for b in blocks]}) == []


def test_pickers_carry_ids_and_ending_asks_for_confirmation() -> None:
    _, blocks = picker("pause", [(3, "Maya"), (4, "Lena")], weeks=4)
    buttons = blocks[-1].to_dict()["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (CMD_PAUSE, "3:4"),
        (CMD_PAUSE, "4:4"),
    ]
    _, blocks = picker("end", [(3, "Maya")])
    [end] = blocks[-1].to_dict()["elements"]
    assert end["action_id"] == CMD_END and end["style"] == "danger" and end["confirm"]["deny"]


def test_the_edit_modal_round_trips_the_stored_plan() -> None:
    pair = Pair(
        id=5,
        team_id="T1",
        mentor_id="U0OMAR0001",
        mentee_id="U0MAYA0001",
        status="active",
        start_date=date(2027, 1, 5),
        end_date=date(2027, 7, 5),
        tz="Europe/Berlin",
        cadence="monthly",
        monthly_mode="day_of_month",
        meeting_time=time(15, 30),
        meeting_minutes=45,
        format="hybrid",
        channels="email,calls",
        checkpoint_weeks=6,
        announce_channel="C0MENTOR01",
        announce=True,
    )
    pair.goals = [
        Goal(owner="mentee", text="Lead a review", position=0),
        Goal(owner="mentor", text="Listen more", position=1),
        Goal(owner="shared", text="A launch", position=2),
    ]
    view = edit_modal(pair).to_dict()
    assert view_errors(view) == [] and view["callback_id"] == "plan_edit"
    form = parse_plan_state(state_values(view, {}, lambda ref: ref))
    assert form == form_from_pair(pair)
    _, errors = validate_plan(
        form, now=NOW, people={}, open_pair_exists=False, keep_first_date=pair.start_date
    )
    # The people are looked up by the listener; everything else survives the round trip.
    assert set(errors) == {"mentor", "mentee"}
