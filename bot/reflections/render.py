"""Renderers for milestones: reflection prompts, reminders, channel announcements, the journey."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.core.services import Services
from bot.core.text import mrkdwn
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.domain.agenda import progress_line
from bot.domain.reflection import Question, questions_for
from bot.reflections import messages as say
from bot.reflections.milestones import mark_milestone, milestone_label
from bot.reflections.prompts import qa_items, questions_of, supersede_open_prompts
from bot.sessions.summary import got_done, progress_of
from storage.documents import queue_document_sync
from storage.meetings import meeting_counts
from storage.models import Milestone, Pair, PairStatus, PromptStatus, ReflectionPrompt
from storage.pairs import get_pair

log = logging.getLogger(__name__)


def _own_goals(pair: Pair, user_id: str) -> list[str]:
    role = pair.role_of(user_id) or "mentee"
    goals = [g.text for g in pair.goals if g.owner == role]
    return goals or [g.text for g in pair.goals if g.owner == "shared"]


def _context(r: Reading, milestone_id: int, team_id: str) -> tuple[Pair, Milestone, str] | Skip:
    milestone = r.session.get(Milestone, milestone_id)
    pair = get_pair(r.session, team_id, milestone.pair_id) if milestone else None
    if milestone is None or pair is None:
        return Skip("milestone gone")
    label = milestone_label(r.session, milestone)
    if pair.status in (PairStatus.PAUSED, PairStatus.ENDED) and milestone.kind != "final_review":
        return Skip(f"mentorship is {pair.status}")
    return pair, milestone, label


def render_prompt(r: Reading, job: Job) -> Rendered | Skip:
    """The first question of a milestone's reflection, fitted to the reader's goals."""
    prompt = r.session.get(ReflectionPrompt, int(job.payload.get("prompt_id", 0)))
    if prompt is None or prompt.status != PromptStatus.SCHEDULED.value:
        return Skip("prompt already handled")
    found = _context(r, prompt.milestone_id, job.team_id)
    if isinstance(found, Skip):
        return found
    pair, milestone, label = found
    partner = r.person(pair.team_id, pair.partner_of(job.recipient_id))
    questions = questions_for(
        milestone.kind,
        _own_goals(pair, job.recipient_id),
        partner.name,
        checkpoint=[mrkdwn(q) for q in pair.checkpoint_questions or ()],
    )
    counts = progress_of(r.session, pair)
    so_far = progress_line(counts) if milestone.kind != "kickoff" and counts.held else None
    intro = say.prompt_intro(milestone.kind, label, partner.name, len(questions), so_far)
    text, blocks = say.prompt(prompt.id, intro, questions, 0, label=label)
    window = timedelta(days=r.services.config.reflection.window_days)
    prompt_id, milestone_id, team_id, pair_id = prompt.id, milestone.id, pair.team_id, pair.id

    def opened(svc: Services) -> None:
        now = svc.clock.now()
        with svc.sessions.begin() as session:
            row = session.get(ReflectionPrompt, prompt_id)
            if row is not None and row.status == PromptStatus.SCHEDULED.value:
                supersede_open_prompts(session, row, svc)
                row.questions = [q.to_dict() for q in questions]
                row.status, row.position = PromptStatus.OPEN.value, 0
                row.asked_at, row.expires_at = now, now + window
            mark_milestone(session, milestone_id, "completed_at", now)
            queue_document_sync(session, team_id, pair_id, now)  # ticks it on the plan canvas

    # A post that timed out may well have been delivered: the person may answer it, so the
    # prompt opens all the same (and its reminder goes out if it stays unanswered).
    return Rendered(text, blocks, on_sent=opened, on_unknown=opened)


def render_reminder(r: Reading, job: Job) -> Rendered | Skip:
    """One nudge for a prompt still open."""
    prompt = r.session.get(ReflectionPrompt, int(job.payload.get("prompt_id", 0)))
    if prompt is None or prompt.status != PromptStatus.OPEN.value:
        return Skip("prompt no longer open")
    questions: list[Question] = questions_of(prompt)
    if prompt.position >= len(questions):
        return Skip("prompt answered")
    milestone = r.session.get(Milestone, prompt.milestone_id)
    pair = r.session.get(Pair, prompt.pair_id)
    if milestone is None or pair is None:
        return Skip("milestone gone")
    label = milestone_label(r.session, milestone)
    partner = r.person(pair.team_id, pair.partner_of(job.recipient_id))
    text, blocks = say.reminder(prompt.id, label, partner.name, questions, prompt.position)
    return Rendered(text, blocks)


def render_announcement(r: Reading, job: Job) -> Rendered | Skip:
    """A milestone post in the plan's channel: the pair and the milestone, nothing private."""
    found = _context(r, int(job.payload.get("milestone_id", 0)), job.team_id)
    if isinstance(found, Skip):
        return found
    pair, milestone, label = found
    if not pair.announce or pair.announce_channel != job.recipient_id:
        return Skip("announcements turned off")
    if milestone.kind == "kickoff":
        counts = meeting_counts(r.session, pair.id)
        if counts.get("held", 0) == 0 and counts.get("skipped", 0) > 0:
            return Skip("the kickoff meeting was skipped")
    try:  # the bot joins public channels itself; private ones need an invitation
        r.services.client_for(pair.team_id).conversations_join(channel=job.recipient_id)
    except SlackApiError as exc:
        log.info("conversations.join %s: %s", job.recipient_id, exc.response.get("error"))
    mentee, mentor = r.people(pair.team_id, pair.mentee_id, pair.mentor_id)
    text = say.announcement(milestone.kind, mentee.name, mentor.name, label)
    milestone_id = milestone.id

    def announced(svc: Services) -> None:
        with svc.sessions.begin() as session:
            mark_milestone(session, milestone_id, "announced_at", svc.clock.now())

    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return Rendered(text, blocks, channel=job.recipient_id, on_sent=announced)


def render_journey(r: Reading, job: Job) -> Rendered | Skip:
    """The end-of-mentorship summary for one participant, with only their own reflections."""
    session = r.session
    pair = get_pair(session, job.team_id, job.pair_id or 0)
    if pair is None:
        return Skip("pair deleted")
    counts = meeting_counts(session, pair.id)
    milestones = [
        (milestone_label(session, m), m.completed_at is not None) for m in pair.milestones
    ]
    prompts = session.scalars(
        select(ReflectionPrompt)
        .where(ReflectionPrompt.pair_id == pair.id, ReflectionPrompt.user_id == job.recipient_id)
        .order_by(ReflectionPrompt.id)
    ).all()
    labels = {m.id: milestone_label(session, m) for m in pair.milestones}
    reflections = [
        (labels.get(p.milestone_id, "Reflection"), qa_items(session, p)) for p in prompts
    ]
    partner = r.person(pair.team_id, pair.partner_of(job.recipient_id))
    planned = sum(n for status, n in counts.items() if status not in ("rescheduled", "cancelled"))
    sessions = progress_of(session, pair)
    me = r.person(pair.team_id, job.recipient_id)
    names = {me.user_id: me.name, partner.user_id: partner.name}
    facts = say.Journey(
        partner=partner.name,
        goals=[(g.text, g.status) for g in pair.goals if g.owner != "shared"],
        vision=next((g.text for g in pair.goals if g.owner == "shared"), ""),
        held=counts.get("held", 0),
        planned=planned,
        skipped=counts.get("skipped", 0),
        milestones=milestones,
        reflections=reflections,
        items=f"{sessions.done} of {sessions.items} done" if sessions.items else None,
        done=got_done(session, pair, job.recipient_id, names),
    )
    text, blocks = say.journey(facts)
    return Rendered(text, blocks)
