"""The outbox on SQLite and PostgreSQL: idempotent planning, disjoint claims, leases, results."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import PersonFacts, validate_plan
from storage.models import Delivery
from storage.outbox import (
    NewDelivery,
    add_deliveries,
    cancel_pending,
    claim_due,
    claim_keys,
    claimed_rows,
    expire_overdue,
    finish,
    mark_sending,
    release_stale,
    status_counts,
)
from storage.pairs import create_pair
from tests.kit.plans import plan_form
from tests.kit.workspace import START, TEAM

LEASE = timedelta(minutes=2)


def row(n: int, *, due_in: timedelta = timedelta(0), expires_in: timedelta | None = None):
    return NewDelivery(
        team_id=TEAM,
        kind="notice",
        recipient_id=f"U{n:09d}",
        occurrence_key=f"test:{n}",
        due_at=START + due_in,
        expires_at=None if expires_in is None else START + expires_in,
        payload={"text": f"message {n}"},
    )


def statuses(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as s:
        return {d.occurrence_key: d.status for d in s.scalars(select(Delivery))}


def test_adding_the_same_occurrences_twice_adds_nothing(sessions: sessionmaker[Session]) -> None:
    rows = [row(n) for n in range(5)]
    with sessions.begin() as s:
        assert add_deliveries(s, rows, START) == 5
    with sessions.begin() as s:
        # Again, and mixed with one new row and a duplicate inside the same batch.
        assert add_deliveries(s, [*rows, row(5), row(5)], START) == 1
    with sessions() as s:
        keys = s.scalars(select(Delivery.occurrence_key)).all()
    assert sorted(keys) == sorted(f"test:{n}" for n in range(6))
    assert add_deliveries(sessions(), [], START) == 0


def test_rows_are_stored_as_given(sessions: sessionmaker[Session]) -> None:
    """What is read back is what was given: no pair or a pair, no expiry or one, instants with
    microseconds, payloads of any text (PostgreSQL's insert sends the rows as one JSON array)."""
    people = {u: PersonFacts(user_id=u, name=u, tz="Europe/Berlin") for u in ("UA", "UB")}
    plan, _ = validate_plan(plan_form(), now=START, people=people, open_pair_exists=False)
    assert plan is not None
    with sessions.begin() as s:
        pair_id = create_pair(s, TEAM, "UA", plan, START).id
    at = START.astimezone(ZoneInfo("America/New_York")) + timedelta(days=3, microseconds=123456)
    given = [
        NewDelivery(
            team_id=TEAM,
            kind="reflection_prompt" if k % 2 else "nudge",
            recipient_id=f"U{k:09d}",
            occurrence_key=f"many:{k}",
            due_at=at + timedelta(minutes=k),
            pair_id=None if k % 3 else pair_id,
            expires_at=None if k % 2 else at + timedelta(days=2),
            payload={} if k == 0 else {"text": f"Naïve “{k}” ✨\n\"'", "n": k, "ok": None},
        )
        for k in range(7)
    ]
    later = START + timedelta(seconds=1, microseconds=5)
    with sessions.begin() as s:
        assert add_deliveries(s, given, later) == 7
        assert add_deliveries(s, [*given[:3], replace(given[0], occurrence_key="new")], later) == 1
    with sessions() as s:
        stored = {d.occurrence_key: d for d in s.scalars(select(Delivery))}
    for row in given:
        got = stored[row.occurrence_key]
        assert (got.team_id, got.kind, got.recipient_id, got.pair_id) == (
            row.team_id,
            row.kind,
            row.recipient_id,
            row.pair_id,
        )
        assert (got.due_at, got.expires_at, got.payload) == (
            row.due_at,
            row.expires_at,
            row.payload,
        )
        assert (got.status, got.attempts, got.created_at) == ("pending", 0, later)


def test_planning_twice_keeps_the_first_rows_state(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(1)], START)
    [claimed] = claim_due(sessions.kw["bind"], "a", START, LEASE, 10)
    with sessions.begin() as s:
        assert finish(s, claimed, "a", "sent", now=START, channel="D1", ts="1.0")
        # A planner re-running with a later due time must not reset the row.
        assert add_deliveries(s, [row(1, due_in=timedelta(hours=5))], START) == 0
    with sessions() as s:
        d = s.scalars(select(Delivery)).one()
        assert (d.status, d.due_at, d.ts) == ("sent", START, "1.0")


def _two_pairs(sessions: sessionmaker[Session]) -> tuple[int, int]:
    ids = []
    for mentor, mentee in (("UA", "UB"), ("UC", "UD")):
        people = {u: PersonFacts(user_id=u, name=u, tz="Europe/Berlin") for u in (mentor, mentee)}
        form = plan_form(mentor_id=mentor, mentee_id=mentee)
        plan, _ = validate_plan(form, now=START, people=people, open_pair_exists=False)
        assert plan is not None
        with sessions.begin() as s:
            ids.append(create_pair(s, TEAM, mentor, plan, START).id)
    return ids[0], ids[1]


def test_a_claim_leaves_the_rows_of_held_pairs(engine: Engine, sessions) -> None:
    """`hold`: the pairs this process's planner is about to send: their rows are left, the
    others' and the rows of no pair are claimed, and a claim without it takes them."""
    held, other = _two_pairs(sessions)
    rows = [replace(row(n), pair_id=(held, other, None)[n % 3]) for n in range(9)]
    with sessions.begin() as s:
        add_deliveries(s, rows, START)
    pair_of = {r.occurrence_key: r.pair_id for r in rows}
    first = claim_due(engine, "tick", START, LEASE, 50, hold=[held])
    rest = claim_due(engine, "later", START, LEASE, 50)
    with sessions() as s:
        key_of = {i: k for i, k in s.execute(select(Delivery.id, Delivery.occurrence_key))}
    assert sorted(pair_of[key_of[i]] or 0 for i in first) == sorted([other] * 3 + [0] * 3)
    assert [pair_of[key_of[i]] for i in rest] == [held] * 3


def test_claims_by_two_owners_never_overlap(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(n) for n in range(30)], START)
    first = claim_due(engine, "a", START, LEASE, 12)
    second = claim_due(engine, "b", START, LEASE, 12)
    third = claim_due(engine, "c", START, LEASE, 12)
    assert (len(first), len(second), len(third)) == (12, 12, 6)
    assert not set(first) & set(second) and not set(second) & set(third)
    assert claim_due(engine, "d", START, LEASE, 12) == []
    with sessions() as s:
        owners = {i: o for i, o in s.execute(select(Delivery.id, Delivery.lease_owner))}
        assert {owners[i] for i in first} == {"a"} and {owners[i] for i in second} == {"b"}
        assert all(d.attempts == 1 for d in s.scalars(select(Delivery)))


def test_concurrent_claims_are_disjoint_and_complete(engine: Engine, sessions) -> None:
    n = 200
    with sessions.begin() as s:
        add_deliveries(s, [row(i) for i in range(n)], START)
    got: dict[str, list[int]] = {f"w{i}": [] for i in range(4)}
    barrier = threading.Barrier(len(got))

    def work(owner: str) -> None:
        barrier.wait()
        while ids := claim_due(engine, owner, START, LEASE, 7):
            got[owner].extend(ids)

    threads = [threading.Thread(target=work, args=(o,)) for o in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    every = [i for ids in got.values() for i in ids]
    assert len(every) == len(set(every)) == n


def test_a_claim_by_key_takes_only_pending_due_rows_and_never_another_owners(
    engine: Engine, sessions
) -> None:
    # The rows a request queued and sends itself (a new plan's summaries), claimed by their
    # keys: a row a tick claimed first stays that tick's; a row not yet due is left alone.
    with sessions.begin() as s:
        add_deliveries(s, [row(1), row(2), row(3, due_in=timedelta(minutes=5))], START)
    [ticked] = claim_due(engine, "tick", START, LEASE, 1)
    mine = claim_keys(engine, "request", START, LEASE, ["test:1", "test:2", "test:3", "test:9"])
    with sessions() as s:
        rows = {d.occurrence_key: d for d in s.scalars(select(Delivery))}
    assert rows["test:1"].id == ticked and rows["test:1"].lease_owner == "tick"
    # What the claim returns is what a sender reads of its rows (`claimed_rows`).
    with engine.connect() as conn:
        assert [tuple(r) for r in mine] == [
            tuple(r) for r in claimed_rows(conn, [rows["test:2"].id])
        ]
    assert mine[0].occurrence_key == "test:2" and mine[0].payload == {"text": "message 2"}
    assert (rows["test:2"].status, rows["test:2"].lease_owner) == ("claimed", "request")
    assert rows["test:2"].attempts == 1 and rows["test:2"].lease_expires_at == START + LEASE
    assert (rows["test:3"].status, rows["test:3"].attempts) == ("pending", 0)
    assert claim_keys(engine, "again", START, LEASE, ["test:2"]) == []
    assert claim_keys(engine, "again", START, LEASE, []) == []


def test_only_due_rows_are_claimed_oldest_first(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(
            s,
            [row(1, due_in=timedelta(minutes=5)), row(2), row(3, due_in=-timedelta(hours=1))],
            START,
        )
    ids = claim_due(engine, "a", START, LEASE, 10)
    with sessions() as s:
        keys = [
            s.scalars(select(Delivery.occurrence_key).where(Delivery.id == i)).one() for i in ids
        ]
    assert keys == ["test:3", "test:2"]
    assert [*claim_due(engine, "a", START + timedelta(minutes=5), LEASE, 10)]


def test_rows_past_their_window_expire_and_are_never_claimed(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(
            s,
            [
                row(1, expires_in=timedelta(hours=1)),
                row(2, expires_in=timedelta(hours=3)),
                row(3),  # no window: never expires
            ],
            START,
        )
    later = START + timedelta(hours=2)
    ids = claim_due(engine, "a", later, LEASE, 10)
    assert statuses(sessions) == {"test:1": "expired", "test:2": "claimed", "test:3": "claimed"}
    assert len(ids) == 2
    with sessions() as s:
        expired = s.scalars(select(Delivery).where(Delivery.status == "expired")).one()
        assert expired.attempts == 0 and expired.last_error
    with sessions.begin() as s:
        assert expire_overdue(s, later + timedelta(days=1)) == 0  # claimed rows are not touched


def test_stale_claims_go_back_and_stale_sends_become_unknown(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(n) for n in range(3)], START)
    a, b, c = claim_due(engine, "dead-worker", START, LEASE, 10)
    with sessions.begin() as s:
        assert mark_sending(s, b, "dead-worker", START, LEASE)
        assert finish(s, c, "dead-worker", "sent", now=START, channel="D1", ts="1.1")
    # Before the lease runs out nothing changes, and nobody else can claim.
    assert claim_due(engine, "b", START + LEASE - timedelta(seconds=1), LEASE, 10) == []
    with sessions.begin() as s:
        assert release_stale(s, START + LEASE) == (0, 0)  # expiry is strictly "<"
    after = START + LEASE + timedelta(seconds=1)
    retaken = claim_due(engine, "fresh-worker", after, LEASE, 10)
    assert retaken == [a]  # only the row that never reached Slack
    with sessions() as s:
        by_id = {d.id: d for d in s.scalars(select(Delivery))}
    assert by_id[a].status == "claimed" and by_id[a].lease_owner == "fresh-worker"
    assert by_id[a].attempts == 2
    assert by_id[b].status == "unknown" and by_id[b].lease_owner is None
    assert "not resent" in (by_id[b].last_error or "")
    assert by_id[c].status == "sent"
    # The dead worker coming back cannot record anything any more.
    with sessions.begin() as s:
        assert not finish(s, b, "dead-worker", "sent", now=after)
        assert not finish(s, a, "dead-worker", "sent", now=after)
        assert not mark_sending(s, a, "dead-worker", after, LEASE)
    assert statuses(sessions)["test:1"] == "unknown"


def test_only_the_owner_records_a_result(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(1), row(2)], START)
    one, two = claim_due(engine, "a", START, LEASE, 10)
    with sessions.begin() as s:
        assert not mark_sending(s, one, "b", START, LEASE)
        assert not finish(s, one, "b", "sent", now=START)
        assert not finish(s, one, "b", "failed", now=START, error="user_not_found")
        assert mark_sending(s, one, "a", START, LEASE)
        assert finish(s, one, "a", "sent", now=START, channel="D1", ts="1.2")
        assert not finish(s, one, "a", "failed", now=START)  # already finished
    with sessions() as s:
        d = s.get(Delivery, one)
        assert d is not None
        assert (d.status, d.channel, d.ts, d.lease_owner) == ("sent", "D1", "1.2", None)
        assert d.sent_at == START
        assert s.scalars(select(Delivery.status).where(Delivery.id == two)).one() == "claimed"


def test_retry_without_counting_an_attempt(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(1)], START)
    for k in range(5):  # five 429s in a row
        now = START + timedelta(seconds=k)
        [i] = claim_due(engine, "a", now, LEASE, 10)
        with sessions.begin() as s:
            assert mark_sending(s, i, "a", now, LEASE)
            retry = now + timedelta(seconds=1)
            assert finish(s, i, "a", "pending", now=now, retry_at=retry, count_attempt=False)
        assert claim_due(engine, "a", now, LEASE, 10) == []  # not before Retry-After
    with sessions() as s:
        d = s.scalars(select(Delivery)).one()
        assert (d.status, d.attempts, d.due_at) == ("pending", 0, START + timedelta(seconds=5))


def test_cancel_only_touches_rows_not_handed_to_slack(engine: Engine, sessions) -> None:
    with sessions.begin() as s:
        add_deliveries(s, [row(n) for n in range(4)], START)
    with sessions.begin() as s:
        s.execute(update(Delivery).where(Delivery.occurrence_key == "test:3").values(status="sent"))
    _, b, c = claim_due(engine, "a", START, LEASE, 3)
    with sessions.begin() as s:
        assert mark_sending(s, b, "a", START, LEASE)
        assert finish(s, c, "a", "pending", now=START, retry_at=START)
    with sessions.begin() as s:
        ids = s.scalars(select(Delivery.id)).all()
        assert cancel_pending(s, ids, "pair ended") == 2  # a (claimed) and c (pending)
    assert statuses(sessions) == {
        "test:0": "cancelled",  # claimed, not handed to Slack yet
        "test:1": "sending",
        "test:2": "cancelled",
        "test:3": "sent",
    }
    with sessions() as s:
        assert status_counts(s, TEAM) == {"cancelled": 2, "sending": 1, "sent": 1}
        assert status_counts(s, "T_OTHER") == {}
