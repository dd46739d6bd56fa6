"""A stored pair as the plan document shows it (bot.domain.plan_document), read in one session.

Reflections reach the document only from prompts their authors chose to share, and only once
the final review has come ("What we learned"); nothing else of the reflections is ever read here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain.plan import PersonFacts
from bot.domain.plan_document import DocAnswer, DocGoal, DocMilestone, DocPerson, PlanDocument
from bot.reflections.milestones import milestone_label
from bot.reflections.prompts import qa_items
from storage.documents import shared_prompts
from storage.models import GoalOwner, Milestone, Pair
from storage.pairs import meeting_rule


def final_review_reached(pair: Pair) -> bool:
    """The final review's questions have gone out (its milestone is marked reached)."""
    return any(m.kind == "final_review" and m.completed_at for m in pair.milestones)


def shared_answers(session: Session, pair: Pair, names: dict[str, str]) -> tuple[DocAnswer, ...]:
    """The answers of reflections their authors shared, each marked shared, oldest first."""
    labels = {m.id: milestone_label(session, m) for m in pair.milestones}
    answers = []
    for prompt in shared_prompts(session, pair.team_id, pair.id):
        author = names.get(prompt.user_id, "")
        label = labels.get(prompt.milestone_id, "Reflection")
        answers += [
            DocAnswer(author, label, qa.question, qa.answer, shared=True)
            for qa in qa_items(session, prompt)
        ]
    return tuple(answers)


def _milestone(session: Session, m: Milestone, tz: str) -> DocMilestone:
    done = m.completed_at.astimezone(ZoneInfo(tz)).date() if m.completed_at else None
    return DocMilestone(milestone_label(session, m), m.due_date, done)


def plan_document(
    session: Session, pair: Pair, mentee: PersonFacts, mentor: PersonFacts
) -> PlanDocument:
    """The plan document of a pair (goals and milestones loaded in `session`)."""
    goals = {
        owner: tuple(DocGoal(g.text, g.status == "done") for g in pair.goals if g.owner == owner)
        for owner in (GoalOwner.MENTEE, GoalOwner.MENTOR)
    }
    names = {mentee.user_id: mentee.name, mentor.user_id: mentor.name}
    answers = shared_answers(session, pair, names) if final_review_reached(pair) else ()
    return PlanDocument(
        mentee=DocPerson(mentee.name, mentee.tz),
        mentor=DocPerson(mentor.name, mentor.tz),
        mentee_goals=goals[GoalOwner.MENTEE],
        mentor_goals=goals[GoalOwner.MENTOR],
        vision=next((g.text for g in pair.goals if g.owner == GoalOwner.SHARED), ""),
        rule=meeting_rule(pair),
        format=pair.format,
        channels=tuple(c for c in pair.channels.split(",") if c),
        milestones=tuple(_milestone(session, m, pair.tz) for m in pair.milestones),
        answers=answers,
    )
