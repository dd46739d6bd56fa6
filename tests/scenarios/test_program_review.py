"""The lead's review through the stand-in: approve, pin and reject stay across a re-run, a swap
pins a runner-up, the priority re-runs with the new setting, a proposal made stale by a change in
the program says so and offers to re-run, and a second Publish creates nothing."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import select

from bot.programs.review_view import (
    APPROVE,
    PIN,
    PRIORITY,
    PUBLISH,
    REJECT,
    RERUN,
    SWAP,
    WEIGHT_ACTIONS,
)
from bot.programs.runs import swap
from bot.standin import SlackStandIn
from storage.models import Pair
from storage.program_models import MatchProposal, MatchRun, Program
from tests.kit.plans import PLAN
from tests.kit.programs import (
    BEN,
    KIM,
    LEAD,
    LEE,
    NOOR,
    OPTIMAL,
    PIA,
    add_cohort,
    click_in,
    create_program,
    enrol,
    enrol_everyone,
    open_review,
    program_id,
)
from tests.kit.workspace import LENA, MAYA, OMAR, TEAM, Bot, listeners_idle, wait_for


@pytest.fixture(autouse=True)
def cohort(standin: SlackStandIn) -> None:
    add_cohort(standin)


def proposals(bot: Bot) -> dict[str, MatchProposal]:
    """The newest run's proposals by mentee."""
    with bot.sessions() as s:
        run = s.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert run is not None
        rows = s.scalars(select(MatchProposal).where(MatchProposal.run_id == run.id)).all()
        return {r.mentee_id: r for r in rows}


def row_of(bot: Bot, mentee: str) -> str:
    return str(proposals(bot)[mentee].id)


def test_calls_survive_a_rerun_and_a_swap_pins_a_runner_up(bot: Bot) -> None:
    create_program(bot)
    enrol_everyone(bot)
    review = open_review(bot)
    lee, maya, noor = row_of(bot, LEE), row_of(bot, MAYA), row_of(bot, NOOR)
    # A double click on Approve approves once (the button asks for a state, not a toggle).
    # Both clicks come from the review as drawn then: the second must not find the button of
    # the review the first click redrew (Undo) when this machine is slow to start its thread.
    [approve] = [
        e["value"]
        for b in review.blocks
        if b.get("block_id") == f"calls_{lee}"
        for e in b["elements"]
        if e.get("action_id") == APPROVE
    ]
    clicks = [
        threading.Thread(
            target=bot.driver.click,
            args=(LEAD, APPROVE),
            kwargs={"view_id": review.id, "block_id": f"calls_{lee}", "forge": {"value": approve}},
        )
        for _ in range(2)
    ]
    before = len(bot.standin.calls_to("views.update"))  # the forms before this one drew too
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    wait_for(lambda: listeners_idle(bot.runtime), what="both clicks' listeners to finish")
    assert len(bot.standin.calls_to("views.update")) == before + 2  # both redrawn
    assert proposals(bot)[LEE].status == "approved"
    review = bot.standin.view(review.id)
    review = click_in(bot, LEAD, review, PIN, block_id=f"calls_{maya}")
    review = click_in(bot, LEAD, review, REJECT, block_id=f"calls_{noor}")
    shown = str(review.blocks)
    assert "✅ approved" in shown and "📌 pinned" in shown and "❌ rejected" in shown
    labels = [
        e["accessibility_label"]
        for b in review.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]
    assert "Undo approving Lee with Kim" in labels and "Restore Noor with Omar" in labels

    review = click_in(bot, LEAD, review, RERUN)
    rows = proposals(bot)
    assert (rows[LEE].mentor_id, rows[LEE].status) == (KIM, "approved")
    assert (rows[MAYA].mentor_id, rows[MAYA].pinned) == (OMAR, True)
    assert rows[NOOR].mentor_id != OMAR  # the rejected pair stays out
    with bot.sessions() as s:
        runs = s.scalars(select(MatchRun).order_by(MatchRun.id)).all()
        assert [r.status for r in runs] == ["superseded", "draft"]
        assert {"mentor_id": OMAR, "mentee_id": NOOR} in runs[-1].ruled_out

    # Swap Ben to Omar, a runner-up whose places are taken: that pair is pinned, Ben's old one
    # ruled out, and the rest solved again around the lead's calls.
    assert [r["name"] for r in rows[BEN].runners_up] == ["Kim", "Omar"]
    assert "Swap to Omar (full)" in str(review.blocks)
    value = f"{rows[BEN].id}:{OMAR}"
    review = click_in(bot, LEAD, review, SWAP, block_id=f"row_{rows[BEN].id}", value=value)
    rows = proposals(bot)
    assert (rows[BEN].mentor_id, rows[BEN].pinned) == (OMAR, True)
    assert (rows[LEE].mentor_id, rows[LEE].status) == (KIM, "approved")
    assert (rows[MAYA].mentor_id, rows[MAYA].pinned) == (OMAR, True)
    assert sum(1 for r in rows.values() if r.mentor_id == OMAR) == 2  # his capacity holds

    # The priority: a re-run with the setting, stored on the program and the run.
    review = click_in(bot, LEAD, review, PRIORITY, value="most_matched")
    with bot.sessions() as s:
        program = s.get(Program, program_id(bot))
        run = s.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert program is not None and run is not None
        assert program.match_settings["priority"] == "most_matched"
        assert run.settings["priority"] == "most_matched" and run.settings["seed"] == program.id
    assert "Most people matched" in str(review.blocks)
    review = click_in(bot, LEAD, review, WEIGHT_ACTIONS["skills"], value="high")
    with bot.sessions() as s:
        program = s.get(Program, program_id(bot))
        run = s.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert program is not None and run is not None
        assert program.match_settings == {"priority": "most_matched", "weights": {"skills": "high"}}
        assert (
            run.settings["weights"]["skills"] == "high" and run.program_version == program.version
        )
    assert "Skills: high" in str(review.blocks)


def test_a_stale_proposal_says_so_and_offers_to_rerun(bot: Bot) -> None:
    create_program(bot)
    enrol_everyone(bot)
    review = open_review(bot)
    # Pia withdraws while the lead is looking at the proposal.
    bot.driver.slash_command(PIA, "leave")
    wait_for(lambda: bot.standin.ephemeral_messages(PIA), what="Pia's reply")
    assert "You've left" in bot.standin.ephemeral_messages(PIA)[-1].text
    review = click_in(bot, LEAD, review, PUBLISH)
    assert "out of date" in str(review.blocks) and "Re-run matching" in str(review.blocks)
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).all() == []  # nothing was published
    review = click_in(bot, LEAD, review, RERUN)
    assert "Publish matches" in str(review.blocks)
    assert PIA not in proposals(bot) and "Pia" not in str(review.blocks)
    review = click_in(bot, LEAD, review, PUBLISH)
    assert "Published: 4" in str(review.blocks)

    # The published review can't publish again; the pairs stay as they are.
    with bot.sessions() as s:
        run = s.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert run is not None and run.status == "published"
        pairs = {(p.mentor_id, p.mentee_id) for p in s.scalars(select(Pair))}
    assert pairs == OPTIMAL
    # A new round: every mentee has a mentor and Pia left, so there is nothing to propose.
    again = open_review(bot)
    assert "*0 pairs* proposed" in str(again.blocks)
    again = click_in(bot, LEAD, again, PUBLISH)
    assert "Published: 0 mentorships" in str(again.blocks)
    with bot.sessions() as s:
        assert {(p.mentor_id, p.mentee_id) for p in s.scalars(select(Pair))} == OPTIMAL


def test_a_pair_that_can_no_longer_be_made_is_skipped_and_said(bot: Bot) -> None:
    create_program(bot)
    enrol_everyone(bot)
    review = open_review(bot)
    # While the lead reviews, Omar starts a mentorship with Maya by hand.
    r = bot.start_plan(OMAR, {**PLAN, "Mentee": MAYA})
    assert r.status == 200 and not r.body.strip(), r.body
    review = click_in(bot, LEAD, review, PUBLISH)
    wait_for(lambda: "Not started" in str(bot.standin.view(review.id).blocks), what="the result")
    shown = str(bot.standin.view(review.id).blocks)
    assert "Published: 3 mentorships" in shown and "*Maya* with *Omar*: These two already" in shown
    with bot.sessions() as s:
        made = {
            (p.mentor_id, p.mentee_id, p.program_id is not None) for p in s.scalars(select(Pair))
        }
    assert made == {(m, e, True) for m, e in OPTIMAL - {(OMAR, MAYA)}} | {(OMAR, MAYA, False)}
    bot.tick()
    assert not [m for m in bot.standin.dm_messages(MAYA) if "No match for you" in m.text]


def test_a_lead_of_one_program_cannot_touch_anothers_proposals(bot: Bot) -> None:
    create_program(bot)
    enrol_everyone(bot)
    open_review(bot)
    engineering = proposals(bot)
    guild: dict[str, Any] = {
        "Program name": "Design guild",
        "Skills or topics people pick from": "Figma",
        "Co-leads": [LENA],
        "Enrolment closes": None,
    }
    assert not create_program(bot, **guild).body.strip()
    enrol(bot, OMAR, {"role": "mentor", "skills": ["Figma"], "capacity": "1"}, "join Design guild")
    enrol(
        bot, BEN, {"role": "mentee", "skills": ["Figma"], "goals": "Critique"}, "join Design guild"
    )
    review = open_review(bot, LENA, "program match Design guild")
    # Lena leads the guild only: a forged button with an engineering proposal changes nothing.
    for action, target in ((APPROVE, engineering[LEE]), (REJECT, engineering[MAYA])):
        review = click_in(bot, LENA, review, action, forge={"value": f"{target.id}:on"})
    guild_run = int(json.loads(review.view["private_metadata"])["run"])
    services = bot.runtime.services
    assert swap(services, TEAM, LENA, guild_run, engineering[BEN].id, KIM) is None
    with bot.sessions() as s:
        rows = s.scalars(
            select(MatchProposal).where(MatchProposal.id.in_([p.id for p in engineering.values()]))
        )
        assert {r.id: (r.status, r.pinned) for r in rows} == {
            p.id: (p.status, p.pinned) for p in engineering.values()
        }
        assert len(s.scalars(select(MatchRun)).all()) == 2  # no re-run of the engineering program
