"""Turning an outbox row into a message at send time, from the data as it is now.

Each feature writes the renderers of its own kinds; `bot/kinds.py` hands the table of them to
the engine through `Services.kinds`, so this module knows no feature.

A render reads everything it needs through one database session (`Reading.session`): the
workspace's state, the pair, the meeting, the cached people. It used to open one per read (about
six per nudge, two of them write transactions for the people cache). People come from the cache
at any age (bot/delivery/people.py), so a render waits for Slack only for someone never
seen before.

The dispatcher renders a claimed batch at once (`render_all`): one session, and a kind with a
`prepare` reads what all the batch's rows of that kind need in a few IN-queries (`Reading.loaded`)
instead of about nine SELECTs per row. A single `render` is the same path with one job, so a
message reads the same whichever way it was built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from sqlalchemy import Connection, Row, select, tuple_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from bot.core.services import Services
from bot.delivery.people import (
    RefreshBudget,
    people_for_message,
    person_for_message,
    preload_people,
)
from bot.domain.plan import PersonFacts
from storage.models import Delivery, Pair
from storage.workspaces import STOPPED, is_active

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    """A message ready to post; `channel` None means the recipient's DM."""

    text: str
    blocks: Sequence[Block | dict[str, Any]]
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
    # What a kind's `prepare` read for several jobs at once, by keys its renderers know; and
    # people's facts already worked out in this reading (each person refreshed at most once).
    loaded: dict[Any, Any] = field(default_factory=dict)

    def person(self, team_id: str, user_id: str) -> PersonFacts:
        """Cached facts of any age (refreshed within the budget); Slack only for a stranger."""
        if self.loaded:
            return self.people(team_id, user_id)[0]
        return person_for_message(self.services, self.session, self.budget, team_id, user_id)

    def people(self, team_id: str, *user_ids: str) -> list[PersonFacts]:
        """Several people, their cache entries read in one query (or preloaded)."""
        return people_for_message(
            self.services, self.session, self.budget, team_id, user_ids, self.loaded
        )

    def preload_people(self, team_id: str, user_ids: Iterable[str]) -> None:
        """Read the cache entries of people the batch's messages will name, in one query."""
        preload_people(self.session, team_id, user_ids, self.loaded)


Renderer = Callable[[Reading, Job], Rendered | Skip]
# Reads, for several jobs of one kind, what their renders need into `Reading.loaded`.
Preparer = Callable[[Reading, Sequence[Job]], None]


@dataclass(frozen=True)
class Kind:
    """One kind of outbox row, as the engine needs it; the table of them is bot/kinds.py."""

    render: Renderer
    what: str  # how the pair's creator hears of it: "the meeting nudge"
    collapses: bool = False  # several overdue rows of one series for one person: send one
    prepare: Preparer | None = None  # reads for a batch of its rows at once


def deliver(client: WebClient, job: Job, message: Rendered) -> dict[str, Any]:
    """Hand a message to Slack (its own `send`, or chat.postMessage to the recipient's DM or its
    channel); Slack's answer, {"channel", "ts"} as far as known. Errors are the caller's."""
    if message.send is not None:
        return dict(message.send(client))
    response = client.chat_postMessage(
        channel=message.channel or job.recipient_id,
        text=message.text,
        blocks=message.blocks,
        unfurl_links=False,
        # Which outbox row this is: lets an operator (and tests) reconcile `unknown` rows.
        metadata={
            "event_type": "mentorship_delivery",
            "event_payload": {"delivery_id": job.id, "kind": job.kind},
        },
    )
    return response.data if isinstance(response.data, dict) else {}


def kind_of(services: Services, name: str) -> Kind | None:
    """The kind of a row, from the table handed in by the app factory."""
    found = services.kinds.get(name)
    return found if isinstance(found, Kind) else None


def job_of(d: Delivery | Row[Any]) -> Job:
    """A plain snapshot of a delivery row (an ORM object, or a Core row of its columns)."""
    return Job(d.id, d.team_id, d.kind, d.pair_id, d.recipient_id, dict(d.payload), d.due_at)


Outcome = Rendered | Skip | Exception  # an exception: the render raised it


def render_all(
    services: Services, jobs: Sequence[Job], budget: RefreshBudget, bind: Connection | None = None
) -> dict[int, Outcome]:
    """Build the messages of several jobs in one read session (on `bind`, a connection the
    caller holds, if given): each job's message, why it should not be sent, or what its render
    raised. A lost database (DBAPIError) raises for all."""
    out: dict[int, Outcome] = {}
    with services.sessions(bind=bind) if bind is not None else services.sessions() as session:
        reading = Reading(services, session, budget)
        active: dict[str, bool] = {}
        todo: dict[Preparer, list[Job]] = {}  # several kinds may share one prepare
        for job in jobs:
            kind = kind_of(services, job.kind)
            if kind is None:
                out[job.id] = Skip(f"no renderer for kind {job.kind!r}")
                continue
            if job.team_id not in active:
                active[job.team_id] = is_active(session, job.team_id)
            if not active[job.team_id]:
                # Claimed before the workspace stopped: held like its pending rows, sent if it
                # returns.
                out[job.id] = Skip(f"{STOPPED}: inactive when its turn came")
            elif kind.prepare is not None:
                todo.setdefault(kind.prepare, []).append(job)
        for prepare, group in todo.items():
            if len(group) > 1:
                _prepare(reading, prepare, group)
        for job in jobs:
            kind = kind_of(services, job.kind)
            if job.id in out or kind is None:
                continue
            try:
                out[job.id] = kind.render(reading, job)
            except DBAPIError:
                raise
            except Exception as exc:  # this row's problem; the others still render
                out[job.id] = exc
                session.rollback()
    return out


def _prepare(reading: Reading, prepare: Preparer, jobs: Sequence[Job]) -> None:
    try:
        prepare(reading, jobs)
    except DBAPIError:
        raise
    except Exception:  # each job then reads for itself, and meets the problem on its own
        log.exception("reading ahead for %d messages failed", len(jobs))
        reading.session.rollback()
        reading.loaded.clear()


def render(services: Services, job: Job, budget: RefreshBudget) -> Rendered | Skip:
    """Build the message for a job, or say why it should not be sent."""
    outcome = render_all(services, [job], budget)[job.id]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def load_pairs(r: Reading, jobs: Sequence[Job]) -> None:
    """The jobs' pairs with their goals, in two queries, for `load_pair`."""
    keys = {(j.team_id, j.pair_id) for j in jobs if j.pair_id is not None}
    if not keys:
        return
    stmt = (
        select(Pair)
        .where(tuple_(Pair.team_id, Pair.id).in_(sorted(keys)))
        .options(selectinload(Pair.goals))
    )
    for pair in r.session.scalars(stmt):
        r.loaded[(Pair, pair.team_id, pair.id)] = pair


def load_pair(r: Reading, job: Job) -> Pair | None:
    """The job's pair with its goals; milestones load if a renderer reads them (a nudge does
    not), in the same session."""
    if job.pair_id is None:
        return None
    preloaded = r.loaded.get((Pair, job.team_id, job.pair_id))
    if preloaded is not None:
        return cast(Pair, preloaded)
    stmt = (
        select(Pair)
        .where(Pair.team_id == job.team_id, Pair.id == job.pair_id)
        .options(selectinload(Pair.goals))
    )
    return r.session.scalars(stmt).first()
