"""Renderers of the program's own outbox kinds: a matched pair's plan summary with why they were
matched (`match_summary`), and the enrolment confirmation (`enrolment`). Both read the rows as
they are at send time."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.core.text import mrkdwn
from bot.delivery.render import Job, Reading, Rendered, Skip
from bot.domain.plan import PersonFacts
from bot.plans.summary import plan_summary, summary_for
from bot.programs import messages as say
from bot.programs.runs import reason_of
from storage.match_runs import proposal_for_pair
from storage.models import Pair
from storage.program_models import Enrolment, EnrolmentStatus
from storage.programs import avoided_by, get_program


def render_match_summary(r: Reading, job: Job) -> Rendered | Skip:
    """The plan summary each person of a published match gets, with one line on why."""
    pair = r.session.scalars(
        select(Pair)
        .where(Pair.team_id == job.team_id, Pair.id == (job.pair_id or 0))
        .options(selectinload(Pair.goals), selectinload(Pair.milestones))
    ).first()
    if pair is None:
        return Skip("pair deleted")
    both = (pair.mentor_id, pair.mentee_id)
    known: dict[str, PersonFacts] = dict(zip(both, r.people(pair.team_id, *both), strict=True))

    def person(user_id: str) -> PersonFacts:
        return known.get(user_id) or r.person(pair.team_id, user_id)

    role = pair.role_of(job.recipient_id) or "mentee"
    tz = person(job.recipient_id).tz or pair.tz
    text, blocks = plan_summary(summary_for(pair, person=person), reader_role=role, reader_tz=tz)
    proposal = proposal_for_pair(r.session, pair.team_id, pair.id)
    program = get_program(r.session, pair.team_id, pair.program_id) if pair.program_id else None
    if proposal is None or program is None:
        return Rendered(text, list(blocks))
    reasons = [reason_of(x).render(escape=mrkdwn) for x in proposal.reasons]
    why = say.why_line(program.name, reasons)
    line = SectionBlock(block_id="why", text=MarkdownTextObject(text=why))
    return Rendered(text, [blocks[0], line, *blocks[1:]])


def render_enrolment(r: Reading, job: Job) -> Rendered | Skip:
    """What someone signed up for and what happens next; a later change sends its own."""
    row = r.session.get(Enrolment, int(job.payload.get("enrolment_id", 0)))
    if row is None or row.team_id != job.team_id or row.user_id != job.recipient_id:
        return Skip("enrolment gone")
    if row.status != EnrolmentStatus.ENROLLED or row.revision != job.payload.get("revision"):
        return Skip("enrolment changed or withdrawn since")
    program = get_program(r.session, row.team_id, row.program_id)
    if program is None:
        return Skip("program gone")
    facts = say.EnrolmentFacts(
        program=program.name,
        revision=row.revision,
        role=row.role,
        skills=row.skills,
        goals=[g for g in row.goals.splitlines() if g.strip()],
        capacity=row.capacity,
        avoided=len(avoided_by(r.session, row.team_id, row.id)),
        closes_on=program.enrol_closes_on,
        starts_on=program.starts_on,
    )
    text, sections = say.enrolment_confirmation(facts)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    return Rendered(text, blocks)
