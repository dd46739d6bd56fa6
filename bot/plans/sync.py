"""Bringing a stored pair's goals and milestones in line with an edited plan.

Goals whose text is unchanged keep their status. Milestones already reached stay as they were;
the kickoff and final review move with the first and last dates, and the checkpoints still to
come are laid out again from the (possibly new) first date, numbered after the ones reached.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.domain.plan import Plan
from bot.domain.schedule import MilestoneKind, milestone_plan
from storage.models import Goal, GoalOwner, Milestone, Pair


def sync_goals(pair: Pair, plan: Plan) -> None:
    """Replace the pair's goals with the plan's, keeping the status of unchanged ones."""
    existing: dict[tuple[str, str], list[Goal]] = {}
    for goal in pair.goals:
        existing.setdefault((goal.owner, goal.text), []).append(goal)
    wanted = [(GoalOwner.MENTEE.value, text) for text in plan.mentee_goals]
    wanted += [(GoalOwner.MENTOR.value, text) for text in plan.mentor_goals]
    wanted.append((GoalOwner.SHARED.value, plan.vision))
    goals = []
    for position, (owner, text) in enumerate(wanted):
        same = existing.get((owner, text))
        goal = same.pop(0) if same else Goal(team_id=pair.team_id, owner=owner, text=text)
        goal.position = position
        goals.append(goal)
    pair.goals = goals  # delete-orphan removes goals no longer in the plan


def sync_milestones(session: Session, pair: Pair) -> list[int]:
    """Re-plan the pair's milestones not yet reached; return the ids of those removed."""
    plan = milestone_plan(pair.start_date, pair.end_date, pair.checkpoint_weeks)
    reached = [m for m in pair.milestones if m.completed_at is not None]
    waiting = [m for m in pair.milestones if m.completed_at is None]
    last_reached = max((m.due_date for m in reached if m.kind == "checkpoint"), default=None)
    done_kinds = {m.kind for m in reached}
    wanted_checkpoints = [
        p.due_date
        for p in plan
        if p.kind is MilestoneKind.CHECKPOINT
        and (last_reached is None or p.due_date > last_reached)
    ]
    next_index = 1 + max((m.index for m in reached if m.kind == "checkpoint"), default=0)
    for kind, due in (("kickoff", pair.start_date), ("final_review", pair.end_date)):
        if kind in done_kinds:
            continue
        row = next((m for m in waiting if m.kind == kind), None)
        if row is None:
            pair.milestones.append(
                Milestone(team_id=pair.team_id, kind=kind, index=0, due_date=due)
            )
        else:
            row.due_date = due
    open_checkpoints = sorted((m for m in waiting if m.kind == "checkpoint"), key=lambda m: m.index)
    for i, due in enumerate(wanted_checkpoints):
        if i < len(open_checkpoints):
            open_checkpoints[i].due_date = due
        else:
            pair.milestones.append(
                Milestone(
                    team_id=pair.team_id, kind="checkpoint", index=next_index + i, due_date=due
                )
            )
    removed = open_checkpoints[len(wanted_checkpoints) :]
    for milestone in removed:
        pair.milestones.remove(milestone)  # delete-orphan; its unsent prompts go with it
    session.flush()
    return [m.id for m in removed]
