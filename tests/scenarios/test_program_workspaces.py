"""Two workspaces on one bot: a program and its proposals belong to one workspace only (its
list, its enrolment, its review, and a forged button with the other's proposal id)."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from bot.programs.review_view import APPROVE
from bot.standin import SlackStandIn, StoredView
from storage.program_models import MatchProposal, Program
from tests.kit.oauth import Org, install
from tests.kit.programs import PROGRAM_FORM
from tests.kit.workspace import MAYA, OMAR, wait_for

ANSWERS: dict[str, dict[str, Any]] = {
    OMAR: {"role": "mentor", "skills": ["SQL"], "capacity": "1"},
    MAYA: {"role": "mentee", "skills": ["SQL"], "goals": "Tune slow queries"},
}


def reply(org: Org, standin: SlackStandIn, user: str, text: str) -> str:
    before = len(standin.ephemeral_messages(user))
    org.driver(standin).slash_command(user, text)
    wait_for(lambda: len(standin.ephemeral_messages(user)) > before, what=f"reply to {text}")
    last = standin.ephemeral_messages(user)[-1]
    return f"{last.text} {last.blocks}"


def forms(standin: SlackStandIn, user: str) -> list[StoredView]:
    return [v for v in standin.views_for(user) if v.callback_id == "program_enrol"]


def program_with_a_proposal(org: Org, standin: SlackStandIn, name: str) -> str:
    """Omar (an admin there) creates a program, he and Maya enrol, he opens the review."""
    driver = org.driver(standin)
    driver.change_user(OMAR, is_admin=True)
    driver.slash_command(OMAR, "program new")
    form = wait_for(
        lambda: [v for v in standin.views_for(OMAR) if v.callback_id == "program_submit"]
    )
    r = driver.submit_view(OMAR, form[-1].id, {**PROGRAM_FORM, "Program name": name})
    assert r.status == 200 and not r.body.strip(), r.body
    for user, answers in ANSWERS.items():
        driver.slash_command(user, "join")
        enrol = wait_for(partial(forms, standin, user), what="the enrolment form")
        assert not driver.submit_view(user, enrol[-1].id, answers).body.strip()
    driver.slash_command(OMAR, "program match")
    review = wait_for(
        lambda: [v for v in standin.views_for(OMAR) if "Publish matches" in str(v.blocks)],
        what="the review",
    )
    return review[-1].id


def test_a_program_belongs_to_its_workspace(org: Org) -> None:
    install(org, org.a, OMAR)
    install(org, org.b, OMAR)
    program_with_a_proposal(org, org.a, "Shared name")
    assert "no programs here yet" in reply(org, org.b, OMAR, "program")
    assert "No program is open" in reply(org, org.b, MAYA, "join")
    org.driver(org.b).change_user(OMAR, is_admin=True)
    assert "I don't know a program called" in reply(org, org.b, OMAR, "program match Shared name")

    # The same name is free in B; a forged button there with A's proposal changes nothing.
    review_b = program_with_a_proposal(org, org.b, "Shared name")
    with org.runtime.services.sessions() as s:
        teams = {p.team_id for p in s.scalars(select(Program))}
        a_row = s.scalars(select(MatchProposal).where(MatchProposal.team_id == "T0AAAAAAA1")).one()
    assert teams == {"T0AAAAAAA1", "T0BBBBBBB1"}
    old = org.b.view(review_b).view["hash"]
    org.driver(org.b).click(OMAR, APPROVE, view_id=review_b, forge={"value": f"{a_row.id}:on"})
    wait_for(lambda: org.b.view(review_b).view["hash"] != old, what="B's review redrawn")
    with org.runtime.services.sessions() as s:
        assert s.get(MatchProposal, a_row.id).status == "proposed"  # type: ignore[union-attr]
        b_rows = s.scalars(select(MatchProposal).where(MatchProposal.team_id == "T0BBBBBBB1"))
        assert [r.status for r in b_rows] == ["proposed"]
