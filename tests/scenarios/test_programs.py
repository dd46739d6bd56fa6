"""Programs end to end through the stand-in (issues 13 and 14): a lead creates a program, eight
people enrol, the lead matches the cohort and publishes the optimal pairs (first come, first
served would not), every pair carries its reasons and each person gets their plan naming their
partner and why, the unmatched mentee is told, capacities hold, a stranger can neither create
nor match, and the report shows the program."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.matching_solve import greedy, solve
from bot.programs.cohort import load_cohort
from bot.programs.review_view import PUBLISH
from bot.standin import SlackStandIn
from storage.models import Delivery, DeliveryKind, Pair
from storage.program_models import Enrolment, MatchProposal, MatchRun, Program
from tests.kit.programs import (
    ANA,
    BEN,
    KIM,
    LEAD,
    LEE,
    MENTEES,
    MENTORS,
    NOOR,
    OPTIMAL,
    PIA,
    PROGRAM,
    add_cohort,
    create_program,
    enrol,
    enrol_everyone,
    open_review,
    program_id,
)
from tests.kit.workspace import LENA, MAYA, OMAR, Bot, wait_for


@pytest.fixture(autouse=True)
def cohort(standin: SlackStandIn) -> None:
    add_cohort(standin)


def dm_texts(bot: Bot, user: str) -> list[str]:
    return [f"{m.text} {m.blocks}" for m in bot.standin.dm_messages(user)]


def last_reply(bot: Bot, user: str, count: int) -> str:
    wait_for(lambda: len(bot.standin.ephemeral_messages(user)) >= count, what="a reply")
    return str(bot.standin.ephemeral_messages(user)[-1].text)


def test_a_stranger_can_neither_create_nor_match(bot: Bot) -> None:
    bot.driver.slash_command(LENA, "program new")
    assert "Only program admins" in last_reply(bot, LENA, 1)
    assert create_program(bot).status == 200
    for text in ("program match", f"program match {PROGRAM}", "program close", "program edit"):
        count = len(bot.standin.ephemeral_messages(LENA)) + 1
        bot.driver.slash_command(LENA, text)
        assert "leads" in last_reply(bot, LENA, count), text
    assert bot.standin.views_for(LENA, include_closed=True) == []
    with bot.sessions() as s:
        assert s.scalars(select(MatchRun)).all() == []


def test_a_program_from_creation_to_published_pairs(bot: Bot) -> None:
    # The lead's first try has mistakes: each is shown beside its field, nothing is stored.
    r = create_program(
        bot,
        **{
            "Program name": " ",
            "Enrolment closes": "2027-02-20",
            "Skills or topics people pick from": "\n".join(f"skill {i}" for i in range(51)),
        },
    )
    errors = r.json["errors"] if r.json else {}
    assert set(errors) == {"name", "enrol_closes_on", "skills"}, errors
    with bot.sessions() as s:
        assert s.scalars(select(Program)).all() == []
    r = create_program(bot)
    assert r.status == 200 and not r.body.strip(), r.body
    pid = program_id(bot)

    # Eight people enrol (a capacity outside 1–5 is a field error first); each gets a DM.
    r = enrol(bot, OMAR, {**MENTORS[OMAR], "capacity": "7"})
    assert r.json and "1 to 5" in r.json["errors"]["capacity"]
    enrol_everyone(bot)
    with bot.sessions() as s:
        rows = s.scalars(select(Enrolment).where(Enrolment.program_id == pid)).all()
        capacity = {r.user_id: r.capacity for r in rows if r.role == "mentor"}
        assert len(rows) == 8 and capacity == {KIM: 1, ANA: 1, OMAR: 2}
    bot.tick()
    for user in (*MENTEES, *MENTORS):
        confirmations = [t for t in dm_texts(bot, user) if "What happens next" in t]
        assert len(confirmations) == 1 and f"in *{PROGRAM}*" in confirmations[0]

    # The lead's review: the optimum, with reasons, and Pia unmatched with why.
    review = open_review(bot)
    shown = str(review.blocks)
    assert "No mentor in this program offers *Rust*" in shown and "*Pia* — no mentor" in shown
    assert "*Lee* with *Kim*" in shown and "Lee wants *Kubernetes / k8s*; Kim offers it" in shown
    assert "*Ben* with *Ana*" in shown and "Ben wants *Go (golang)*; Ana offers it" in shown
    with bot.sessions() as s:
        run = s.scalars(select(MatchRun)).one()
        proposed = s.scalars(select(MatchProposal).where(MatchProposal.run_id == run.id)).all()
        assert {(p.mentor_id, p.mentee_id) for p in proposed if p.mentor_id} == OPTIMAL
        assert all(1 <= len(p.reasons) <= 3 for p in proposed)

    # A cohort where first come, first served fails: Ben enrolled first and would take Kim's
    # only place, leaving Lee (who only wants Kubernetes, which only Kim offers) unmatched.
    with bot.sessions() as s:
        program = s.get(Program, pid)
        assert program is not None
        loaded = load_cohort(s, program, bot.clock.now())
    assert loaded.first_come[:2] == (BEN, LEE)
    first_come, best = greedy(loaded.cohort, loaded.settings), solve(loaded.cohort, loaded.settings)
    assert {(p.mentor_id, p.mentee_id) for p in first_come.pairs} == {
        (KIM, BEN),
        (OMAR, MAYA),
        (OMAR, NOOR),
        (ANA, PIA),
    }
    assert first_come.unmatched == (LEE,) and best.total > first_come.total

    # Publish with a double click: both clicks are made on the review as it is now, then sent
    # at once (made in their threads, the second could find the review redrawn already).
    payloads: list[dict[str, Any]] = []
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(bot.driver, "post_payload", lambda payload, **kw: payloads.append(payload))
        bot.driver.click(LEAD, PUBLISH, view_id=review.id)
        bot.driver.click(LEAD, PUBLISH, view_id=review.id)
    assert len(payloads) == 2
    clicks = [threading.Thread(target=bot.driver.post_payload, args=(p,)) for p in payloads]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    wait_for(lambda: "Published: 4" in str(bot.standin.view(review.id).blocks), what="publish")
    wait_for(lambda: len(bot.standin.calls_to("views.update")) >= 3, what="both clicks")
    with bot.sessions() as s:
        pairs = s.scalars(select(Pair).where(Pair.program_id == pid)).all()
        assert {(p.mentor_id, p.mentee_id) for p in pairs} == OPTIMAL and len(pairs) == 4
        load = Counter(p.mentor_id for p in pairs)
        assert all(load[m] <= c for m, c in capacity.items())  # capacities hold
        assert all(p.cadence == "weekly" and p.checkpoint_weeks == 2 for p in pairs)
        assert all(p.announce and str(p.start_date) == "2027-03-15" for p in pairs)
        assert {tuple(p.checkpoint_questions or ()) for p in pairs} == {
            ("What did you try since the last checkpoint?",)
        }
        made = s.scalars(select(MatchProposal).where(MatchProposal.pair_id.is_not(None))).all()
        assert {m.pair_id for m in made} == {p.id for p in pairs}
        assert all(m.reasons for m in made)  # every published pair carries its reasons
        # (the workspace's first person also got the welcome: a notice with a key of its own)
        sent = s.scalars(select(Delivery)).all()
        kinds = Counter(d.kind for d in sent if not d.occurrence_key.startswith("welcome:"))
        assert kinds[DeliveryKind.MATCH_SUMMARY] == 8 and kinds[DeliveryKind.NOTICE] == 1

    bot.tick()
    partner = {LEE: "Kim", KIM: "Lee", BEN: "Ana", ANA: "Ben", MAYA: "Omar", NOOR: "Omar"}
    for user, name in partner.items():
        summaries = [t for t in dm_texts(bot, user) if "Your mentorship with" in t]
        assert len(summaries) == 1 and f"with *{name}*" in summaries[0], (user, summaries)
        assert "Why you two" in summaries[0] and "offers it" in summaries[0]
    assert sorted(
        t.split("with *")[1][:4] for t in dm_texts(bot, OMAR) if "Your mentorship with" in t
    ) == ["Maya", "Noor"]
    told = [t for t in dm_texts(bot, PIA) if "No match for you" in t]
    assert len(told) == 1 and "*Rust*" in told[0] and "stay enrolled" in told[0]
    assert not any("Your mentorship with" in t for t in dm_texts(bot, PIA))

    # The report shows the program.
    bot.driver.slash_command(LEAD, "report")
    report = wait_for(
        lambda: [m for m in bot.standin.ephemeral_messages(LEAD) if "By program" in str(m.blocks)],
        what="the report",
    )
    assert f"*{PROGRAM}*: 4 active" in str(report[-1].blocks)
