"""Turning an outbox row into a message at send time, from the data as it is now.

Each feature writes the renderers of its own kinds; `bot/kinds.py` hands the table of them to
the engine through `Services.kinds`, so this module knows no feature.

A render reads everything it needs through one database session (`Reading.session`): the
workspace's state, the pair, the meeting, the cached people. It used to open one per read (about
six per nudge, two of them write transactions for the people cache). People come from the cache
at any age (bot/delivery/people.py), so a render waits for Slack only for someone never
seen before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.core.services import Services
from bot.delivery.people import RefreshBudget, people_for_message, person_for_message
from bot.domain.plan import PersonFacts
from storage.models import Delivery, Pair
from storage.workspaces import STOPPED, is_active


@dataclass(frozen=True)
class Rendered:
    """A message ready to post; `channel` None means the recipient's DM."""

    text: str
    blocks: list[Block] | list[dict[str, Any]]
    channel: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Runs after Slack accepted the message (e.g. open a reflection prompt for replies).
    on_sent: Callable[[Services], None] | None = None
    # Runs when the post may have reached Slack or not (the row became `unknown`): for what must
    # happen if the person may have read it (a prompt they might answer is opened all the same).
    on_unknown: Callable[[Services], None] | None = None
    # Delivers it some other way than chat.postMessage (a file upload, canvas edits), with the
    # dispatcher's client; answers {"channel", "ts"} as far as it knows them. Slack's errors
    # are sorted like chat.postMessage's.
    send: Callable[[WebClient], Mapping[str, Any]] | None = None


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


@dataclass(frozen=True)
class Kind:
    """One kind of outbox row, as the engine needs it; the table of them is bot/kinds.py."""

    render: Renderer
    what: str  # how the pair's creator hears of it: "the meeting nudge"
    collapses: bool = False  # several overdue rows of one series for one person: send one


def kind_of(services: Services, name: str) -> Kind | None:
    """The kind of a row, from the table handed in by the app factory."""
    found = services.kinds.get(name)
    return found if isinstance(found, Kind) else None


def job_of(d: Delivery) -> Job:
    """A plain snapshot of a delivery row."""
    return Job(d.id, d.team_id, d.kind, d.pair_id, d.recipient_id, dict(d.payload), d.due_at)


def render(services: Services, job: Job, budget: RefreshBudget) -> Rendered | Skip:
    """Build the message for a job, or say why it should not be sent."""
    kind = kind_of(services, job.kind)
    if kind is None:
        return Skip(f"no renderer for kind {job.kind!r}")
    with services.sessions() as session:
        if not is_active(session, job.team_id):
            # Claimed before the workspace stopped: held like its pending rows, sent if it returns.
            return Skip(f"{STOPPED}: inactive when its turn came")
        return kind.render(Reading(services, session, budget), job)


def load_pair(r: Reading, job: Job) -> Pair | None:
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
