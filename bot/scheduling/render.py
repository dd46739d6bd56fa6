"""Turning an outbox row into a message at send time, from the data as it is now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from bot import meeting_messages
from bot.meeting_messages import MeetingFacts
from bot.messages import plan_summary
from bot.notify import summary_for
from bot.people import lookup_person
from bot.services import Services
from storage.meetings import UPCOMING
from storage.models import Delivery, Meeting, Pair
from storage.pairs import get_pair
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


Renderer = Callable[[Services, Job], Rendered | Skip]
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


def render(services: Services, job: Job) -> Rendered | Skip:
    """Build the message for a job, or say why it should not be sent."""
    fn = RENDERERS.get(job.kind)
    if fn is None:
        return Skip(f"no renderer for kind {job.kind!r}")
    with services.sessions() as session:
        if not is_active(session, job.team_id):
            return Skip("workspace uninstalled")
    return fn(services, job)


def _load_pair(services: Services, job: Job) -> Pair | None:
    if job.pair_id is None:
        return None
    with services.sessions() as session:
        return get_pair(session, job.team_id, job.pair_id)


@renderer("plan_summary")
def render_plan_summary(services: Services, job: Job) -> Rendered | Skip:
    """The plan summary DM sent when a mentorship starts (or its plan changes)."""
    pair = _load_pair(services, job)
    if pair is None:
        return Skip("pair deleted")
    client = services.client_for(pair.team_id)
    summary = summary_for(services, client, pair)
    role = pair.role_of(job.recipient_id) or "mentee"
    tz = lookup_person(services, client, job.team_id, job.recipient_id).tz or pair.tz
    text, blocks = plan_summary(summary, reader_role=role, reader_tz=tz)
    return Rendered(text, list(blocks))


def meeting_facts(services: Services, pair: Pair, meeting: Meeting, reader: str) -> MeetingFacts:
    """The meeting as `reader` sees it: their zone, their partner, today's focus."""
    client = services.client_for(pair.team_id)
    me = lookup_person(services, client, pair.team_id, reader)
    partner = lookup_person(services, client, pair.team_id, pair.partner_of(reader))
    goals = [g.text for g in pair.goals if g.owner in ("mentee", "mentor") and g.status != "done"]
    focus = None
    if goals:
        with services.sessions() as session:
            earlier = session.scalar(
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


def _meeting_job(services: Services, job: Job) -> tuple[Pair, Meeting] | Skip:
    pair = _load_pair(services, job)
    if pair is None:
        return Skip("pair deleted")
    if pair.status != "active":
        return Skip(f"mentorship is {pair.status}")
    with services.sessions() as session:
        meeting = session.get(Meeting, int(job.payload.get("meeting_id", 0)))
    if meeting is None or meeting.pair_id != pair.id:
        return Skip("meeting gone")
    if meeting.status != UPCOMING:
        return Skip(f"meeting already {meeting.status}")
    if meeting.scheduled_at.isoformat() != job.payload.get("scheduled_at"):
        return Skip("meeting moved")
    return pair, meeting


@renderer("nudge")
def render_nudge(services: Services, job: Job) -> Rendered | Skip:
    """The DM before a meeting."""
    found = _meeting_job(services, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    text, blocks = meeting_messages.nudge(meeting_facts(services, pair, meeting, job.recipient_id))
    return Rendered(text, blocks)


@renderer("followup")
def render_followup(services: Services, job: Job) -> Rendered | Skip:
    """The question after a meeting with no answer yet."""
    found = _meeting_job(services, job)
    if isinstance(found, Skip):
        return found
    pair, meeting = found
    facts = meeting_facts(services, pair, meeting, job.recipient_id)
    text, blocks = meeting_messages.followup(facts)
    return Rendered(text, blocks)


@renderer("notice")
def render_notice(services: Services, job: Job) -> Rendered | Skip:
    """A prepared message (delivery problems, reschedule notes): text and blocks in the payload."""
    text = str(job.payload.get("text", ""))
    blocks = job.payload.get("blocks") or [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    ]
    return Rendered(text, list(blocks))


# Renderers of later features register themselves on import.
from bot.scheduling import render_milestones  # noqa: E402, F401
