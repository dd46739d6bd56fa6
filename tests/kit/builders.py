"""Every Block Kit builder of the bot, fed with any input the forms and Slack allow.

`BUILDERS` maps a name to a function that draws its input from `st.data()` (strategies in
tests/kit/strategies.py) and returns a `Built` (tests/kit/built.py): a message's text and blocks,
or a view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from bot.delivery.problems import PROBLEMS, delivery_problem
from bot.domain.plan import MAX_TEXT, PlanForm
from bot.domain.reflection import MAX_ANSWER, questions_for
from bot.home.data import GoalItem, HomeData, MilestoneItem, PairCard, PastPair
from bot.home.view import build_home, status_message
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.meetings.modal import build_reschedule_modal
from bot.pairs import messages as pair_messages
from bot.pairs.messages import PairNames
from bot.plans.goal_modal import build_goal_modal
from bot.plans.modal import build_plan_modal, start_modal_view
from bot.plans.summary import PlanSummary, plan_summary
from bot.reflections import messages as reflection_messages
from bot.reflections.messages import QA, Journey
from bot.reflections.modal import build_reflection_modal
from bot.reports.report import PairLine, ProgramReport
from bot.reports.view import report_blocks
from storage.report import PairCounts
from tests.kit.built import Built, message, section_message, view
from tests.kit.strategies import (
    NOW,
    ZONES,
    Pool,
    goals,
    line,
    name,
    paragraph,
    pool,
    vision,
)

# -- the builders -----------------------------------------------------------------------------


def _summary(data: st.DataObject) -> Built:
    s = PlanSummary(
        pair_id=1,
        mentor_name=data.draw(name()),
        mentee_name=data.draw(name()),
        cadence="weekly",
        cadence_phrase="every week",
        first_meeting=NOW + timedelta(days=8),
        plan_tz=data.draw(st.sampled_from(ZONES)),
        format="online",
        channels=("chat", "calls"),
        mentee_goals=data.draw(goals()),
        mentor_goals=data.draw(goals()),
        vision=data.draw(vision()),
        end_date=date(2030, 3, 1),
        checkpoints=data.draw(st.integers(0, 78)),
        checkpoint_weeks=2,
        announce_channel=data.draw(st.sampled_from([None, "C0MENTOR01"])),
    )
    role = data.draw(st.sampled_from(["mentor", "mentee"]))
    return message(*plan_summary(s, reader_role=role, reader_tz=data.draw(st.sampled_from(ZONES))))


def plan_form(data: st.DataObject) -> PlanForm:
    return PlanForm(
        mentor_id="U0OMAR0001",
        mentee_id="U0MAYA0001",
        mentee_goals="\n".join(data.draw(goals())),
        mentor_goals="\n".join(data.draw(goals())),
        vision=data.draw(vision()),
        cadence="biweekly",
        first_date=date(2027, 3, 9),
        tz="Europe/Berlin",
        format="online",
        channels=("chat",),
        end_date=date(2027, 9, 9),
        checkpoint_weeks=4,
        announce_channel="C0MENTOR01",
        announce=True,
    )


def _edit_modal(data: st.DataObject) -> Built:
    form = plan_form(data)
    return view(build_plan_modal(form=form, private_metadata={"pair_id": 2**31}, submit="Save"))


def _start_modal(data: st.DataObject) -> Built:
    tz = data.draw(st.sampled_from([None, *ZONES]))
    return view(
        start_modal_view(
            mentor_id="U0OMAR0001", mentee_id=None, tz=tz, private_metadata={"from": "home"}
        )
    )


def _goal_modal(data: st.DataObject) -> Built:
    names = {"mentee": data.draw(name()), "mentor": data.draw(name())}
    return view(build_goal_modal(2**31, names, data.draw(st.sampled_from(["mentee", "mentor"]))))


def meeting_facts(data: st.DataObject) -> MeetingFacts:
    return MeetingFacts(
        meeting_id=2**31,
        at=NOW + timedelta(days=8, hours=data.draw(st.integers(0, 23))),
        reader_tz=data.draw(st.sampled_from(ZONES)),
        partner_name=data.draw(name()),
        partner_tz=data.draw(st.sampled_from(ZONES)),
        format="hybrid",
        channels=("email", "chat", "calls"),
        focus=data.draw(st.one_of(st.none(), line(MAX_TEXT, 1))),
    )


def _nudge(data: st.DataObject) -> Built:
    return message(*meeting_messages.nudge(meeting_facts(data)))


def _followup(data: st.DataObject) -> Built:
    return message(*meeting_messages.followup(meeting_facts(data)))


def _answered(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    _, blocks = meeting_messages.nudge(facts)
    status = data.draw(st.sampled_from(["held", "skipped", "rescheduled", "cancelled"]))
    by = data.draw(st.one_of(st.none(), name()))
    text = meeting_messages.answered(status, facts.at, facts.reader_tz, by)
    return Built(text, meeting_messages.answered_blocks(text, [b.to_dict() for b in blocks]))


def _rescheduled(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    return message(*meeting_messages.rescheduled_note(facts.at, facts.reader_tz, data.draw(name())))


def _reschedule_modal(data: st.DataObject) -> Built:
    facts = meeting_facts(data)
    origin = {"channel": "D0MAYA0001", "ts": "1772352000.000100"}
    return view(
        build_reschedule_modal(
            meeting_id=2**31,
            at=facts.at,
            reader_tz=facts.reader_tz,
            partner_name=facts.partner_name,
            origin=origin,
        )
    )


KINDS = {"kickoff": "Kickoff", "checkpoint": "Checkpoint 12 of 78", "final_review": "Final review"}


def _questions(data: st.DataObject) -> tuple[str, str, list[Any], str]:
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    partner = data.draw(name())
    return kind, KINDS[kind], questions_for(kind, data.draw(goals()), partner), partner


def _prompt(data: st.DataObject) -> Built:
    kind, label, questions, partner = _questions(data)
    position = data.draw(st.integers(0, len(questions) - 1))
    intro = reflection_messages.prompt_intro(kind, label, partner, len(questions))
    return message(*reflection_messages.prompt(2**31, intro, questions, position, label=label))


def _reminder(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    position = data.draw(st.integers(0, len(questions) - 1))
    return message(*reflection_messages.reminder(2**31, label, partner, questions, position))


def answers(data: st.DataObject, questions: list[Any]) -> list[QA]:
    return [QA(q.text, data.draw(paragraph(MAX_ANSWER))) for q in questions]


def _thanks(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    return message(*reflection_messages.thanks(2**31, partner, answers(data, questions), label))


def _shared(data: st.DataObject) -> Built:
    _, label, questions, partner = _questions(data)
    items = answers(data, questions)
    return message(*reflection_messages.shared_with_partner(partner, label, items))


def _announcement(data: st.DataObject) -> Built:
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    text = reflection_messages.announcement(kind, data.draw(name()), data.draw(name()), KINDS[kind])
    return section_message(text)


def _journey(data: st.DataObject) -> Built:
    reflections = []
    for i in range(data.draw(st.integers(0, 80))):
        _, label, questions, _ = _questions(data) if i < 3 else ("", f"Checkpoint {i}", [], "")
        items = answers(data, questions) if questions else [QA("What worked?", "x" * 2999)]
        reflections.append((label, items))
    both = data.draw(goals()) + data.draw(goals())
    j = Journey(
        partner=data.draw(name()),
        goals=[(g, data.draw(st.sampled_from(["open", "done"]))) for g in both],
        held=40,
        planned=80,
        skipped=3,
        milestones=[(f"Checkpoint {i} of 78", i % 2 == 0) for i in range(78)],
        reflections=reflections,
        vision=data.draw(vision()),
    )
    return message(*reflection_messages.journey(j))


def _reflection_modal(data: st.DataObject) -> Built:
    _, label, questions, _ = _questions(data)
    earlier = {q.key: data.draw(paragraph(40_000)) for q in questions}
    return view(build_reflection_modal(2**31, label, questions, earlier))


def pair_names(data: st.DataObject) -> PairNames:
    ids = ("U0KAI00001", "U0OMAR0001", "U0MAYA0001")
    names = {u: data.draw(name()) for u in ids}
    actor = data.draw(st.sampled_from(ids))
    return PairNames(actor, ids[1], ids[2], names)


def _pair_notices(data: st.DataObject) -> Built:
    p = pair_names(data)
    reader = data.draw(st.sampled_from([p.mentor_id, p.mentee_id]))
    at = NOW + timedelta(days=3)
    texts = [
        pair_messages.paused_notice(p, reader, date(2027, 4, 1)),
        pair_messages.paused_reply(p, date(2027, 4, 1)),
        pair_messages.deactivated_notice(p.name(p.mentee_id)),
        pair_messages.resumed_notice(p, reader, at, "Europe/Berlin"),
        pair_messages.resumed_reply(p, at, "Europe/Berlin"),
        pair_messages.ended_notice(p, reader),
        pair_messages.ended_reply(p),
        pair_messages.edited_notice(p, reader, at, "every week", "Europe/Berlin"),
        pair_messages.not_now(p, "paused", "pause", date(2027, 4, 1)),
    ]
    return section_message("\n".join(texts))


def _end_confirmation(data: st.DataObject) -> Built:
    p = pair_names(data)
    label = data.draw(name())
    return message(*pair_messages.end_confirmation(2**31, p.described_for(p.actor_id), label))


def _picker(data: st.DataObject) -> Built:
    verb = data.draw(st.sampled_from(["status", "pause", "resume", "end"]))
    count = data.draw(st.integers(1, 30))
    p = pool(data)
    choices = [(i, f"{p.name(i)} & {p.name(i + 1)}") for i in range(count)]
    return message(*pair_messages.picker(verb, choices, weeks=4))


def card(data: st.DataObject, pair_id: int, p: Pool | None = None) -> PairCard:
    p = p or pool(data)
    partner, reader = p.name(pair_id), p.name(pair_id + 1)
    role = data.draw(st.sampled_from(["mentee", "mentor"]))
    other = "mentor" if role == "mentee" else "mentee"
    mine, theirs = p.goals(pair_id), p.goals(pair_id + 1)
    items = [
        GoalItem(pair_id * 100 + i, who, text, i % 3 == pair_id % 3, owner)
        for i, (who, text, owner) in enumerate(
            [(reader, t, role) for t in mine] + [(partner, t, other) for t in theirs]
        )
    ]
    checkpoints = data.draw(st.integers(0, 78))
    milestones = (
        MilestoneItem("Kickoff", date(2027, 3, 9), True),
        *(
            MilestoneItem(f"Checkpoint {i} of {checkpoints}", date(2027, 3, 9), i < 3)
            for i in range(1, checkpoints + 1)
        ),
        MilestoneItem("Final review", date(2030, 3, 1), False),
    )
    status = "paused" if pair_id % 4 == 0 else "active"
    return PairCard(
        pair_id=pair_id,
        role=role,
        partner_name=partner,
        status=status,
        paused_until=date(2027, 4, 1) if status == "paused" else None,
        next_meeting=NOW + timedelta(days=8) if status == "active" else None,
        reader_tz=ZONES[pair_id % len(ZONES)],
        partner_tz=ZONES[(pair_id + 2) % len(ZONES)],
        rhythm="every other Tuesday at 15:00 (Europe/Berlin)",
        format="online",
        channels=("chat", "calls"),
        end_date=date(2030, 3, 1),
        vision=p.visions[pair_id % len(p.visions)],
        goals=tuple(items),
        milestones=milestones,
    )


def report(data: st.DataObject, count: int, p: Pool | None = None) -> ProgramReport:
    p = p or pool(data)
    lines = [
        PairLine(
            team_id="T1",
            pair_id=i,
            mentor_id=f"U0MENTOR{i:03d}",
            mentor_name=p.name(i),
            mentee_id=f"U0MENTEE{i:03d}",
            mentee_name=p.name(i + 1),
            creator_id="U0KAI00001",
            status="active",
            cadence="weekly",
            start_date=date(2027, 1, 5),
            end_date=date(2027, 6, 5),
            counts=PairCounts(planned=4, held=1, asked=2, answered=0),
            risks=(
                "no meeting recorded since Tue 5 Jan 2027",
                "2 reflection prompts went unanswered",
            ),
        )
        for i in range(count)
    ]
    return ProgramReport("T1", NOW, tuple(lines))


def _home(data: st.DataObject) -> Built:
    p = pool(data)
    cards = tuple(card(data, i, p) for i in range(1, data.draw(st.integers(0, 40)) + 1))
    past = tuple(
        PastPair(p.name(i), "mentor", "completed", date(2026, 1, 1))
        for i in range(data.draw(st.integers(0, 15)))
    )
    admin = data.draw(st.booleans())
    overview = report(data, data.draw(st.integers(0, 60)), p) if admin else None
    return view(build_home(HomeData(cards=cards, past=past, overview=overview)))


def _status(data: st.DataObject) -> Built:
    """`/mentorship status`: a read-only card in a message (an admin's has a heading above)."""
    admin_of = data.draw(st.one_of(st.none(), name()))
    return message(*status_message(card(data, 7), admin_of))


def _report(data: st.DataObject) -> Built:
    return message(*report_blocks(report(data, data.draw(st.integers(0, 200)))))


def _problem(data: st.DataObject) -> Built:
    error = data.draw(st.sampled_from([*sorted(PROBLEMS), "some_new_error"]))
    return section_message(delivery_problem(data.draw(name()), "the meeting nudge", error))


BUILDERS: dict[str, Callable[[st.DataObject], Built]] = {
    "plan summary": _summary,
    "plan modal (edit)": _edit_modal,
    "plan modal (start)": _start_modal,
    "add-a-goal modal": _goal_modal,
    "nudge": _nudge,
    "follow-up": _followup,
    "answered nudge": _answered,
    "rescheduled note": _rescheduled,
    "reschedule modal": _reschedule_modal,
    "reflection prompt": _prompt,
    "reflection reminder": _reminder,
    "reflection thanks": _thanks,
    "shared reflection": _shared,
    "milestone announcement": _announcement,
    "journey": _journey,
    "reflection form": _reflection_modal,
    "pair notices": _pair_notices,
    "end confirmation": _end_confirmation,
    "picker": _picker,
    "home tab": _home,
    "status card": _status,
    "program report": _report,
    "delivery problem": _problem,
}
