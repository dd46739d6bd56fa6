"""The dispatcher: claims due outbox rows, posts them to Slack outside any transaction, and
records what happened. Slack errors are sorted into retry later, failed for good, or unknown."""

from __future__ import annotations

import http.client
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError

from bot.core.blocks import Unbuildable, checked_message
from bot.core.services import Services
from bot.delivery.ahead import MAX_AGE, Ahead
from bot.delivery.collapse import collapse
from bot.delivery.notices import tell_creator
from bot.delivery.people import RefreshBudget
from bot.delivery.problems import (
    PERMANENT,
    RECIPIENT_ERRORS,
    RENDER_ERROR,
    TOKEN_ERRORS,
    UNBUILDABLE,
    operator_fix,
)
from bot.delivery.recovery import OnSent, Unrecorded
from bot.delivery.render import Job, Rendered, Skip, deliver, job_of, kind_of
from bot.delivery.stats import DispatchStats
from bot.delivery.stops import stop_for_token
from bot.delivery.writes import Writes
from storage.models import Delivery
from storage.outbox import (
    CANCELLED,
    EXPIRED,
    FAILED,
    SENT,
    UNKNOWN,
    claim_due,
    claim_keys,
    claimed_rows,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A tick waits out a 429's Retry-After (real seconds) up to this long and then goes on sending.
MAX_WAIT = 10.0


def default_owner() -> str:
    """This process's name on the rows it claims: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_of(services: Services, seconds: float | None = None) -> timedelta:
    """How long a claim holds its rows, in the clock's time (`seconds`: the configured lease
    unless given)."""
    if seconds is None:
        seconds = services.config.scheduler.lease_seconds
    return timedelta(seconds=seconds * services.clock.speed)


def _is_channel(recipient: str) -> bool:
    """A channel id (an announcement's), not a person's id (a DM)."""
    return recipient[:1] in ("C", "G")


class Dispatcher:
    """Sends due deliveries; any number of dispatchers may share one database."""

    def __init__(
        self,
        services: Services,
        *,
        owner: str | None = None,
        batch: int = 50,
        max_batches: int = 100,
        lease_seconds: float | None = None,
        client: WebClient | None = None,
        share: tuple[int, int] = (0, 1),
        people_budget: RefreshBudget | None = None,
    ) -> None:
        self.services = services
        self.owner = owner or default_owner()
        self.batch = batch
        self.max_batches = max_batches
        self.lease_seconds = (
            lease_seconds if lease_seconds is not None else services.config.scheduler.lease_seconds
        )
        self.client = client  # None: each workspace's own token, without retries
        self.share = share  # (i, n): the due rows of pairs i modulo n (bot/delivery/senders.py)
        self._stopping = threading.Event()
        # How a tick waits out a 429: a wait that `stop()` cuts short.
        self.sleep: Callable[[float], object] = self._stopping.wait
        self._retry_after = 0.0  # real seconds, from the last 429
        # users.info calls for refreshing stale people while rendering, for this process.
        self.people_budget = people_budget or RefreshBudget()
        self.unrecorded = Unrecorded()
        self.last_claim: float | None = None  # time.monotonic(): a sign of life for /healthz
        self.writes = Writes(services.sessions.kw["bind"], self.owner, self.unrecorded)
        self._ahead: Ahead | None = None  # the batch's messages, rendered ahead
        # Messages handed in by whoever queued their rows (`give`), by occurrence key, with
        # when they were built (time.monotonic()).
        self._given: dict[str, tuple[Rendered, float]] = {}
        self._given_lock = threading.Lock()

    def stop(self) -> None:
        """Make a running tick end after the row it is sending; its other claimed rows go
        back to pending as they were. Later ticks send nothing."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def lease(self) -> timedelta:
        return lease_of(self.services, self.lease_seconds)

    def tick(self, max_batches: int | None = None) -> DispatchStats:
        """`_tick`, first recovering from a tick that lost the database (delivery/recovery.py)."""
        if self.unrecorded.lost_database:
            self.unrecorded.recover(self.services, self.owner)
        try:
            return self._tick(max_batches)
        except DBAPIError:
            self.unrecorded.lost_database = True
            raise

    def _tick(self, max_batches: int | None = None) -> DispatchStats:
        """Claim and send due rows until none are due or `max_batches` (then `more_due`).

        A 429 puts that row back for Retry-After; the tick waits that long and goes on with
        its claimed rows, so a backlog drains at the rate Slack allows. When it cannot wait
        (a clock that does not run by itself, a long Retry-After, a claim that would be held
        too long) it puts the rest of the batch back and ends, and the next tick goes on.

        `stop()` is checked before each row: a stopping tick puts its unsent claimed rows back
        to pending (attempt not counted) and ends, so a shutdown does not wait for up to
        `max_batches` batches. Nothing is lost (the rows are pending again, not left to a
        lease) and nothing is sent twice (a row in `sending` finishes first)."""
        stats = DispatchStats()
        engine = self.services.sessions.kw["bind"]
        held: dict[str, float] = {}  # channel -> when (monotonic) it may be posted to again
        for _ in range(max_batches or self.max_batches):
            if self.stopping:
                break
            self.last_claim = claimed_at = time.monotonic()
            now = self.services.clock.now()
            hold = self.services.in_hand.ids()  # this process's planner sends those
            ids = claim_due(engine, self.owner, now, self.lease, self.batch, self.share, hold)
            if not ids:
                break
            if self._claimed(ids, held, claimed_at, stats) or self.stopping:
                break
        else:
            stats.more_due = True
        return stats

    def send_now(
        self,
        occurrence_keys: Sequence[str],
        messages: Mapping[str, Rendered],
        claimed: Sequence[Row[Any]] = (),
        claimed_at: float | None = None,
    ) -> DispatchStats:
        """Send the due, pending rows with these occurrence keys at once, with their messages
        built already (`messages`, by occurrence key; a row without one is rendered as a tick
        would): a new plan's summaries, sent by the request that stored them instead of the
        scheduler's next tick. The rows are claimed first and each is finished after its Slack
        call, exactly as in a tick; a row another dispatcher claimed first is left to it.
        `claimed`: rows claimed for this dispatcher's owner already (`claim_keys_on`, in the
        transaction that planned them, at `claimed_at`), sent with the others."""
        stats = DispatchStats()
        started = time.monotonic()
        now = self.services.clock.now()
        engine = self.services.sessions.kw["bind"]
        rows = [*claimed, *claim_keys(engine, self.owner, now, self.lease, occurrence_keys)]
        if rows:
            self.give(messages)  # taken by the batch below, by occurrence key
            at = started if claimed_at is None else claimed_at
            self._claimed(sorted(r.id for r in rows), {}, at, stats, rows)
        return stats

    def give(self, messages: Mapping[str, Rendered]) -> None:
        """Messages built already by the request that queued their rows (by occurrence key;
        a new plan's summaries, built from the pair it holds in memory): a tick that claims
        those rows within `MAX_AGE` sends them as they are instead of reading and rendering
        them again; later, they are rendered as usual."""
        at = time.monotonic()
        with self._given_lock:
            self._given.update((key, (message, at)) for key, message in messages.items())

    def _take_given(self, keys: Mapping[int, str]) -> tuple[dict[int, Rendered], float]:
        """The handed-in messages of these rows (by id), and when the oldest was built."""
        now = time.monotonic()
        with self._given_lock:
            if not self._given:
                return {}, now
            for key, (_, at) in list(self._given.items()):
                if now - at > MAX_AGE:
                    del self._given[key]
            found = {i: self._given.pop(key) for i, key in keys.items() if key in self._given}
        return {i: m for i, (m, _) in found.items()}, min(
            (at for _, at in found.values()), default=now
        )

    def _claimed(
        self,
        ids: list[int],
        held: dict[str, float],
        claimed_at: float,
        stats: DispatchStats,
        rows: list[Row[Any]] | None = None,
    ) -> bool:
        """Send rows this dispatcher claimed, on one connection for the batch's reads and
        writes (`rows`: what the claim returned of them, else read here); True when the tick
        must stop."""
        engine = self.services.sessions.kw["bind"]
        try:
            with engine.connect() as conn, self.writes.batch(conn):
                try:
                    return self._batch(ids, held, claimed_at, stats, rows)
                finally:
                    self.writes.flush()
        finally:
            self._ahead = None

    def _batch(
        self,
        ids: list[int],
        held: dict[str, float],
        claimed_at: float,
        stats: DispatchStats,
        rows: list[Row[Any]] | None = None,
    ) -> bool:
        """Send one claimed batch; True when the tick must stop (a 429 it cannot wait out)."""
        stop = False
        loaded, keys = self._load(ids, rows)
        jobs = self._collapse(loaded, stats)
        self._ahead = Ahead(self.services, self.people_budget, jobs, self.writes.conn)
        handed, built_at = self._take_given(keys)
        if handed:
            self._ahead.give(handed, at=built_at)
        for job in jobs:
            if self.stopping:
                stats.put_back += 1
            if stop or self.stopping:
                self._finish(job, "pending", retry_at=job.due_at, count_attempt=False)
                continue
            if self._held_back(job, held, stats):
                continue
            limits = stats.rate_limits
            self._send(job, stats)
            if stats.rate_limits > limits and _is_channel(job.recipient_id):
                # A channel's own limit (about 1 post a second): hold that channel for
                # Retry-After and go on with the others. Were it the workspace cap, the
                # next DM meets it too and the tick pauses below.
                held[job.recipient_id] = time.monotonic() + self._retry_after
            elif stats.rate_limits > limits:
                pause = self._pause(claimed_at)
                if pause is None:
                    stop = True
                else:
                    self.sleep(pause)
                    stats.waited += pause
        return stop

    def _held_back(self, job: Job, held: dict[str, float], stats: DispatchStats) -> bool:
        """Put a row back, unsent and without an attempt, while its channel is rate limited."""
        wait = held.get(job.recipient_id, 0.0) - time.monotonic()
        if wait <= 0:
            return False
        delay = timedelta(seconds=max(wait, 1.0) * self.services.clock.speed)
        self._finish(
            job, "pending", retry_at=self.services.clock.now() + delay, count_attempt=False
        )
        stats.held_back += 1
        return True

    def _pause(self, claimed_at: float) -> float | None:
        """Real seconds to wait out the last 429 before the next send, or None to stop."""
        wait = self._retry_after
        if self.services.clock.seconds_to_real(wait) <= 0:
            return None  # a manual clock: whoever moves it runs the next tick
        if wait > MAX_WAIT or time.monotonic() - claimed_at + wait > self.lease_seconds / 2:
            return None
        return wait

    def _load(
        self, ids: list[int], rows: list[Row[Any]] | None
    ) -> tuple[list[Job], dict[int, str]]:
        """The claimed rows as jobs in the order they are sent, and each one's occurrence key
        (read unless the claim returned them)."""
        assert self.writes.conn is not None  # inside `_claimed`'s batch
        if rows is None:
            rows = claimed_rows(self.writes.conn, ids)
        jobs = sorted((job_of(d) for d in rows), key=lambda j: (j.due_at, j.id))
        return jobs, {d.id: d.occurrence_key for d in rows}

    def _collapse(self, jobs: list[Job], stats: DispatchStats) -> list[Job]:
        """Of several overdue rows of one series for one person, keep only one."""

        def collapses(name: str) -> bool:
            kind = kind_of(self.services, name)
            return kind is not None and kind.collapses

        keep, dropped = collapse(jobs, collapses)
        for job, reason in dropped:
            self._finish(job, EXPIRED, error=reason)
        stats.collapsed += len(dropped)
        return keep

    def _finish(self, job: Job, status: str, on_sent: OnSent = None, **kwargs: Any) -> None:
        values = {"now": self.services.clock.now(), **kwargs}
        if status == SENT and on_sent is None:
            self.writes.sent(job.id, values)  # committed with the next row's `sending`
            return
        self.writes.finish(job.id, status, values, on_sent)
        if on_sent is not None:
            if self._ahead is not None:  # it may change what later rows read
                self._ahead.forget()
            try:
                on_sent(self.services)
            except Exception:  # it was sent; what follows a send must not end the tick
                log.exception("delivery %s: sent, but what follows sending failed", job.id)

    def _send(self, job: Job, stats: DispatchStats) -> None:
        ahead = self._ahead or Ahead(self.services, self.people_budget, [job])
        if not ahead.ready(job):  # a render takes time: the last sent row is recorded first
            self.writes.flush()
        outcome = ahead.take(job)
        if isinstance(outcome, SlackApiError):  # e.g. users.info rate limited while building
            self._slack_error(job, outcome, stats)
            return
        if isinstance(outcome, Exception):  # one bad row must not end the tick or sit claimed
            log.error(
                "delivery %s: could not build the %s message", job.id, job.kind, exc_info=outcome
            )
            self._retry_or_fail(job, f"{type(outcome).__name__}: {outcome}", stats)
            return
        if isinstance(outcome, Skip):
            self._finish(job, CANCELLED, error=outcome.reason)
            stats.skipped += 1
            return
        try:  # serialised and checked while nothing is sent: a refusal is never `unknown`
            blocks = checked_message(outcome.text, outcome.blocks)
        except Unbuildable as exc:
            self._unbuildable(job, exc.problems, stats)
            return
        now = self.services.clock.now()
        if not self.writes.mark_sending(job.id, job.due_at, now, self.lease):
            return  # our claim expired and someone else has it now
        self._post(job, replace(outcome, blocks=blocks), stats)

    def _unbuildable(self, job: Job, problems: list[str], stats: DispatchStats) -> None:
        """A message Slack would refuse, caught before sending: the row fails (building it
        again gives the same message), the operator reads why, the creator is told."""
        why = "; ".join(problems)
        log.error(
            "delivery %s (%s to %s) cannot be sent: the message breaks Slack's limits: %s",
            job.id,
            job.kind,
            job.recipient_id,
            why,
        )
        self._finish(job, FAILED, error=f"{UNBUILDABLE}: {why}"[:2000])
        stats.failed += 1
        stats.errors[UNBUILDABLE] = stats.errors.get(UNBUILDABLE, 0) + 1
        self._tell_creator(job, UNBUILDABLE)

    def _post(self, job: Job, message: Rendered, stats: DispatchStats) -> None:
        now = self.services.clock.now()
        try:
            client = self.client or self.services.post_client_for(job.team_id)
            data = deliver(client, job, message)
        except SlackApiError as exc:
            self._slack_error(job, exc, stats)
            return
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):  # nothing reached Slack
                self._finish(job, "pending", retry_at=now + self._backoff(job), error=str(exc))
                stats.retried += 1
                return
            self._unknown(job, message, exc, stats)
            return
        except (http.client.HTTPException, OSError) as exc:
            self._unknown(job, message, exc, stats)
            return
        except SlackClientError as exc:  # slack_sdk refused to build the request: nothing sent
            log.error("delivery %s: slack_sdk refused the request (%s)", job.id, type(exc).__name__)
            self._finish(job, FAILED, error=f"{UNBUILDABLE}: {type(exc).__name__}")
            stats.failed += 1
            self._tell_creator(job, UNBUILDABLE)
            return
        except Exception as exc:  # anything else: it may have posted; one row never ends a tick
            log.exception("delivery %s: sending raised", job.id)
            self._unknown(job, message, exc, stats)
            return
        self._finish(job, SENT, message.on_sent, channel=data.get("channel"), ts=data.get("ts"))
        stats.sent += 1

    def _unknown(
        self, job: Job, message: Rendered, exc: BaseException, stats: DispatchStats
    ) -> None:
        log.warning(
            "delivery %s: connection broke while sending (%s); marked unknown, "
            "not resent, because Slack may have posted it",
            job.id,
            type(exc).__name__,
        )
        self._finish(job, UNKNOWN, error=f"connection broke: {type(exc).__name__}")
        stats.unknown += 1
        if message.on_unknown is not None:
            message.on_unknown(self.services)

    def _backoff(self, job: Job) -> timedelta:
        return timedelta(seconds=30 * self.services.clock.speed)

    def _slack_error(self, job: Job, exc: SlackApiError, stats: DispatchStats) -> None:
        now = self.services.clock.now()
        error = str(exc.response.get("error") or exc.response.status_code)
        stats.errors[error] = stats.errors.get(error, 0) + 1
        if exc.response.status_code == 429:
            retry_after = float(exc.response.headers.get("Retry-After", "1") or 1)
            delay = timedelta(seconds=max(retry_after, 1.0) * self.services.clock.speed)
            self._finish(job, "pending", retry_at=now + delay, count_attempt=False)
            stats.rate_limited = True
            stats.rate_limits += 1
            self._retry_after = max(retry_after, 1.0)
            log.info("rate limited by Slack; retrying in %.0f s", retry_after)
            return
        if error in TOKEN_ERRORS:
            stop_for_token(self.services, self.owner, job.id, job.team_id, error)
            if self._ahead is not None:  # the rows rendered ahead were for a running workspace
                self._ahead.forget()
            stats.skipped += 1
            return
        tries = self._attempts(job)
        if error in PERMANENT or tries >= MAX_ATTEMPTS:
            self._finish(job, FAILED, error=error)
            stats.failed += 1
            log.error(
                "delivery %s (%s to %s) failed: %s — %s",
                job.id,
                job.kind,
                job.recipient_id,
                error,
                operator_fix(error),
            )
            if error in RECIPIENT_ERRORS:  # the creator can do something about these
                self._tell_creator(job, error)
            return
        self._finish(job, "pending", retry_at=now + self._backoff(job) * tries, error=error)
        stats.retried += 1

    def _retry_or_fail(self, job: Job, error: str, stats: DispatchStats) -> None:
        """Nothing was posted: try again later with a growing delay, and give up after a few."""
        tries = self._attempts(job)
        if tries >= MAX_ATTEMPTS:
            self._finish(job, FAILED, error=error)
            stats.failed += 1
            self._tell_creator(job, RENDER_ERROR)
            return
        retry_at = self.services.clock.now() + self._backoff(job) * tries
        self._finish(job, "pending", retry_at=retry_at, error=error)
        stats.retried += 1

    def _attempts(self, job: Job) -> int:
        with self.services.sessions() as session:
            row = session.get(Delivery, job.id)
            return row.attempts if row is not None else MAX_ATTEMPTS

    def _tell_creator(self, job: Job, error: str) -> None:
        """Queue one DM to the pair's creator explaining what to fix (once per problem)."""
        tell_creator(self.services, self.people_budget, job, error)
