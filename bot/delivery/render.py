"""Turning an outbox row into a message at send time, from the data as it is now.

A render reads everything it needs through one database session (`Reading.session`): the
workspace's state, the pair, the meeting, the cached people. It used to open one per read (about
six per nudge, two of them write transactions for the people cache). People come from the cache
at any age (bot/scheduling/people_cache.py), so a render waits for Slack only for someone never
seen before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.core.services import Services
from bot.delivery.people import RefreshBudget, people_for_message, person_for_message
from bot.domain.plan import PersonFacts
from bot.meetings import messages as meeting_messages
from bot.meetings.messages import MeetingFacts
from bot.plans.notify import summary_for
from bot.plans.summary import plan_summary
from storage.meetings import UPCOMING
from storage.models import Delivery, Meeting, Pair
from storage.workspaces import is_active


@dataclass(frozen=True)
class Rendered:
    """A message ready to post; `channel` None means the recipient's DM."""

    text: str
    blocks: list[Block] | list[dict[str, Any]]
    channel: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Runs after Slack accepted the message (e.g. open a reflection prompt for replies).
    on_sent: Callable[[Services], None] | None = None


@dataclass(frozen=True)
class Skip:
    """Nothing to send any more (pair paused, meeting answered...)."""

    reason: str


@dataclass(frozen=True)
class Job:
    """The parts of a claimed row a renderer needs (no ORM object crosses threads)."""

    id: int
    team_id: str
    kind: str
    pair_id: int | None
    recipient_id: str
    payload: dict[str, Any]
    due_at: datetime


@dataclass(frozen=True)
class Reading:
    """What a renderer reads with: one session for all its reads, and people's facts."""

    services: Services
    session: Session
    budget: RefreshBudget  # for refreshing stale people; the dispatcher's, shared by its ticks

    def person(self, team_id: str, user_id: str) -> PersonFacts:
        """Cached facts of any age (refreshed within the budget); Slack only for a stranger."""
        return person_for_message(self.services, self.session, self.budget, team_id, user_id)

    def people(self, team_id: str, *user_ids: str) -> list[PersonFacts]:
        """Several people, their cache entries read in one query."""
        return people_for_message(self.services, self.session, self.budget, team_id, user_ids)


Renderer = Callable[[Reading, Job], Rendered | Skip]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the renderer for a delivery kind."""

    def wrap(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return wrap


def job_of(d: Delivery) -> Job:
    """A plain snapshot of a delivery row."""
    return Job(d.id, d.team_id, d.kind, d.pair_id, d.recipient_id, dict(d.payload), d.due_at)


def render(services: Services, job: Job, budget: RefreshBudget) -> Rendered | Skip:
    """Build the message for a job, or say why it should not be sent."""
    fn = RENDERERS.get(job.kind)
    if fn is None:
        return Skip(f"no renderer for kind {job.kind!r}")
    with services.sessions() as session:
        if not is_active(session, job.team_id):
            return Skip("workspace uninstalled")
        return fn(Reading(services, session, budget), job)


def _load_pair(r: Reading, job: Job) -> Pair | None:
    """The job's pair with its goals; milestones load if a renderer reads them (a nudge does
    not), in the same session."""
    if job.pair_id is None:
        return None
    stmt = (
        select(Pair)
        .where(Pair.team_id == job.team_id, Pair.id == job.pair_id)
        .options(selectinload(Pair.goals))
    )
    return r.session.scalars(stmt).first()


@renderer("plan_summary")
def render_plan_summary(r: Reading, job: Job) -> Rendered | Skip:
    """The plan summary DM sent when a mentorship starts (or its plan changes)."""
    pair = _load_pair(r, job)
    if pair is None:
        return Skip("pair deleted")
    client = r.services.client_for(pair.team_id)
    both = (pair.mentor_id, pair.mentee_id)
    known = dict(zip(both, r.people(pair.team_id, *both), strict=True))

    def person(user_id: str) -> PersonFacts:
        return known.get(user_id) or r.person(pair.team_id, user_id)

    summary = summary_for(r.services, client, pair, person=person)
    role = pair.role_of(job.recipient_id) or "mentee"
    tz = person(job.recipient_id).tz or pair.tz
    text, blocks = plan_summary(summary, reader_role=role, reader_tz=tz)
    return Rendered(text, list(blocks))


def meeting_facts(r: Reading, pair: Pair, meeting: Meeting, reader: str) -> MeetingFacts:
    """The meeting as `reader` sees it: their zone, their partner, today's focus."""
    me, partner = r.people(pair.team_id, reader, pair.partner_of(reader))
    goals = [g.text for g in pair.goals if g.owner in ("mentee", "mentor") and g.status != "done"]
    focus = None
    if goals:
        earlier = r.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.pair_id == pair.id, Meeting.scheduled_at < meeting.scheduled_at)
        )
        focus = goals[int(earlier or 0) % len(goals)]
    return MeetingFacts(
        meeting_id=meeting.id,
        at=meeting.scheduled_at,
        reader_tz=me.tz or pair.tz,
        partner_name=partner.name,
        partner_tz=partner.tz or pair.tz,
        format=pair.format,
        channels=pair.channels.split(","),
        focus=focus,
    )


def _meeting_job(r: Reading, job: Job) -> tuple[Pair, Meeting] | Skip:
    pair = _load_pair(r, job)
    if pair is None:
        return Skip("pair deleted")
    if pair.status != "active":
        return Skip(f"mentorship is {pair.status}")
    meeting = r.session.get(Meeting, int(job.payload.get("meeting_id", 0)))
    if meeting is None or meeting.pair_id != pair.id:
        return Skip("meeting gone")
    if meeting.status != UPCOMING:
        return Skip(f"meeting already {meeting.status}")
    if meeting.scheduled_at.isoformat() != job.payload.get("scheduled_at"):
        return Skip("meeting moved")
    return pair, meeting


@renderer("nudge")
def render_nudge(r: Reading, job: Job) -> Rendered | Skip:
    """The DM before a meeting."""
    found = _meeting_job(r, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    text, blocks = meeting_messages.nudge(meeting_facts(r, pair, meeting, job.recipient_id))
    return Rendered(text, blocks)


@renderer("followup")
def render_followup(r: Reading, job: Job) -> Rendered | Skip:
    """The question after a meeting with no answer yet."""
    found = _meeting_job(r, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    facts = meeting_facts(r, pair, meeting, job.recipient_id)
    text, blocks = meeting_messages.followup(facts)
    return Rendered(text, blocks)


@renderer("notice")
def render_notice(r: Reading, job: Job) -> Rendered | Skip:
    """A prepared message (delivery problems, reschedule notes): text and blocks in the payload."""
    text = str(job.payload.get("text", ""))
    blocks = job.payload.get("blocks") or [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    ]
    return Rendered(text, list(blocks))


# Renderers of later features register themselves on import.
from bot.reflections import render as render_milestones  # noqa: E402, F401
