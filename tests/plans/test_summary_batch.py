"""Plan summaries rendered for a batch in one read (`render_all`, as the dispatcher does) say
what each rendered on its own (`render`) says, with far fewer queries."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, event, select

from bot.core.blocks import checked_message
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Outcome, Rendered, job_of, render, render_all
from storage.models import Delivery, DeliveryKind
from tests.kit.plans import PLAN
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, Bot, wait_for, welcome_queued


def _shown(outcome: Outcome) -> Any:
    if isinstance(outcome, Rendered):
        return outcome.text, checked_message(outcome.text, outcome.blocks)
    return outcome


def _selects(engine: Engine) -> list[str]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def test_a_batch_of_plan_summaries_reads_the_same_as_single_renders(bot: Bot) -> None:
    assert bot.start_plan(OMAR, PLAN).status == 200
    other = {**PLAN, "Mentor": KAI, "Mentee": LENA, "Mentee's goals": "Ship the beta\nSpeak up"}
    assert bot.start_plan(KAI, other).status == 200
    with bot.sessions() as s:
        rows = s.scalars(
            select(Delivery).where(Delivery.kind == DeliveryKind.PLAN_SUMMARY).order_by(Delivery.id)
        ).all()
        jobs = [job_of(d) for d in rows]
    assert {j.recipient_id for j in jobs} == {OMAR, MAYA, KAI, LENA}
    services, budget = bot.runtime.services, RefreshBudget()
    selects = _selects(bot.runtime.engine)
    alone = {j.id: _shown(render(services, j, budget)) for j in jobs}
    singly, selects[:] = len(selects), []
    together = {i: _shown(o) for i, o in render_all(services, jobs, budget).items()}
    assert together == alone
    text = {j.recipient_id: str(alone[j.id]) for j in jobs}
    assert "Ship the beta" in text[LENA] and "Ship the beta" not in text[MAYA]
    assert "Lead a design review" in text[OMAR]
    assert len(selects) <= 6 < singly


def test_summaries_sent_by_the_submission_say_what_the_outbox_renders(bot: Bot) -> None:
    # The request that stores a plan sends both summaries itself, built from what it holds in
    # memory, through the outbox's claim and finish. A tick rendering the same rows from the
    # database says the same, word for word and block for block.
    welcomed = lambda: wait_for(lambda: welcome_queued(bot, OMAR))  # noqa: E731
    assert bot.start_plan(OMAR, PLAN, before_submit=welcomed).status == 200
    with bot.sessions() as s:
        rows = s.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.PLAN_SUMMARY)).all()
        assert {(d.status, d.attempts) for d in rows} == {("sent", 1)}
        assert {d.lease_owner for d in rows} != {"test-dispatcher"}  # no tick sent them
        jobs = [job_of(d) for d in rows]
    calls = bot.standin.calls_to("chat.postMessage")
    # Omar's welcome (the first person in a new workspace) went first, in the same send.
    assert calls[0]["channel"] == OMAR and calls[0]["text"] == "👋 Thanks for adding Mentorship."
    posted = {c["channel"]: c for c in calls[1:]}
    assert set(posted) == {OMAR, MAYA}
    budget = RefreshBudget()
    for job in jobs:
        again = render(bot.runtime.services, job, budget)
        assert isinstance(again, Rendered)
        call = posted[job.recipient_id]
        assert call["text"] == again.text
        blocks = call["blocks"]
        assert (json.loads(blocks) if isinstance(blocks, str) else blocks) == _shown(again)[1]
    assert bot.tick().sent == 0  # nothing left for the scheduler
    assert len(bot.standin.calls_to("chat.postMessage")) == 3
