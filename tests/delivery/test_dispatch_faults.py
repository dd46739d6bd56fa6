"""The dispatcher against a misbehaving Slack: rate limits, permanent errors, broken connections,
downtime, and two dispatchers sharing one database."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.core.clock import SimulatedClock
from bot.delivery.dispatcher import Dispatcher
from bot.heartbeat import Heartbeat
from storage.models import Delivery, Person, Workspace
from storage.outbox import NewDelivery, add_deliveries, status_counts
from tests.kit.plans import reschedule
from tests.kit.scenario import (
    FOLLOWUP_START,
    NUDGE_START,
    Timeline,
    at,
    deliveries,
    meetings,
    plan,
    start,
)
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, TEAM, Bot, wait_for

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
POST = "chat.postMessage"


def seed_notices(bot: Bot, n: int, recipients: tuple[str, ...] = (OMAR, MAYA, LENA, KAI)) -> None:
    now = bot.clock.now()
    rows = [
        NewDelivery(
            team_id=TEAM,
            kind="notice",
            recipient_id=recipients[i % len(recipients)],
            occurrence_key=f"seed:{i}",
            due_at=now,
            payload={"text": f"seeded message {i:05d}"},
        )
        for i in range(n)
    ]
    with bot.sessions.begin() as s:
        assert add_deliveries(s, rows, now) == n


def posted_seeds(bot: Bot) -> Counter[str]:
    return Counter(m.text for m in bot.standin.messages if m.text.startswith("seeded message"))


def kinds(bot: Bot, *names: str) -> list[Delivery]:
    return [d for d in deliveries(bot) if d.kind in names]


# -- rate limits ------------------------------------------------------------------------------


def test_a_429_storm_sends_everything_once_without_counting_attempts(bot: Bot) -> None:
    seed_notices(bot, 12)
    bot.standin.rate_limit_next(POST, retry_after=3, times=25)
    stats = bot.tick()
    # The first answer was a 429: that row waits for Retry-After and the tick stops at once.
    assert stats.rate_limited and stats.sent == 0
    assert len(bot.standin.calls_to(POST)) == 1
    waiting = [d for d in deliveries(bot) if d.due_at > bot.clock.now()]
    assert [d.due_at for d in waiting] == [bot.clock.now() + timedelta(seconds=3)]
    assert {d.status for d in deliveries(bot)} == {"pending"}

    for _ in range(200):
        with bot.sessions() as session:  # closed at once: an open SQLite transaction holds the lock
            if status_counts(session).get("pending", 0) == 0:
                break
        bot.clock.advance(timedelta(seconds=1))
        bot.tick()
    assert posted_seeds(bot) == Counter(f"seeded message {i:05d}" for i in range(12))
    rows = deliveries(bot)
    assert {d.status for d in rows} == {"sent"}
    assert {d.attempts for d in rows} == {1}  # 429s are not failures
    assert len(bot.standin.calls_to(POST)) == 12 + 25


# -- permanent errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("user_not_found", "`/mentorship end`"),
        ("user_disabled", "`/mentorship pause`"),
    ],
)
def test_a_permanent_error_fails_the_row_and_tells_the_creator_once(
    bot: Bot, error: str, fix: str
) -> None:
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()  # plan summaries
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    bot.standin.fail_next(POST, error)  # Maya's nudge is the first row due
    tl.tick()
    [maya_nudge] = kinds(bot, "nudge")[:1]
    assert maya_nudge.recipient_id == MAYA
    assert (maya_nudge.status, maya_nudge.last_error, maya_nudge.attempts) == ("failed", error, 1)
    assert tl.to(MAYA, "nudge") == []
    notices = [s for s in tl.to(OMAR) if s.text.startswith("I couldn't send")]
    assert len(notices) == 1
    assert notices[0].text.startswith("I couldn't send the meeting nudge to Maya")
    assert fix in notices[0].text
    assert len(tl.to(OMAR, "nudge")) == 1  # Omar's own nudge went out normally

    # The follow-up to Maya fails the same way: still just the one notice, and no retries.
    bot.clock.set(at("2027-03-09T17:00", BERLIN))
    bot.standin.fail_next(POST, error)
    tl.tick()
    for _ in range(3):
        bot.clock.advance(timedelta(hours=1))
        tl.tick()
    maya_rows = [d for d in kinds(bot, "nudge", "followup") if d.recipient_id == MAYA]
    assert [(d.kind, d.status) for d in maya_rows[:2]] == [
        ("nudge", "failed"),
        ("followup", "failed"),
    ]
    assert len([s for s in tl.to(OMAR) if s.text.startswith("I couldn't send")]) == 1
    maya_posts = [
        c
        for c in bot.standin.calls_to(POST)
        if c.get("channel") == MAYA and str(c.get("text")).startswith((NUDGE_START, FOLLOWUP_START))
    ]
    assert len(maya_posts) == 2  # the failed nudge and the failed follow-up, each tried once


@pytest.mark.parametrize("error", ["account_inactive", "invalid_auth", "token_revoked"])
def test_a_refused_bot_token_stops_the_workspace_and_blames_nobody(bot: Bot, error: str) -> None:
    # These errors are about the bot's own token, not about Maya: no "end the mentorship" to
    # Omar, no failed rows. The workspace stops as on tokens_revoked, and everything waiting
    # goes out once it is back (single-token mode: the next signed request).
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()  # plan summaries
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    bot.standin.fail_next(POST, error)  # Maya's nudge is the first row due; Omar's is next
    stats = bot.tick()
    tl.collect()
    assert stats.failed == 0 and tl.to(MAYA, "nudge") == tl.to(OMAR, "nudge") == []
    assert not [s for s in tl.to(OMAR) if s.text.startswith("I couldn't send")]
    with bot.sessions() as s:
        assert s.scalars(select(Workspace)).one().status == "uninstalled"
    maya_nudge, omar_nudge = kinds(bot, "nudge")[:2]
    assert maya_nudge.status == omar_nudge.status == "cancelled"
    assert maya_nudge.last_error == f"workspace stopped: bot token refused by Slack ({error})"
    assert (omar_nudge.last_error or "").startswith("workspace stopped:")  # held, not failed
    posts = [c for c in bot.standin.calls_to(POST) if not c["text"].startswith("👋 Thanks")]
    assert len(posts) == 2 + 1  # the summaries, then the refused nudge (and Omar's welcome)

    assert bot.driver.slash_command(OMAR, "help").status == 200  # back (a new token in place)
    bot.clock.advance(timedelta(minutes=5))
    tl.tick()
    assert len(tl.to(MAYA, "nudge")) == len(tl.to(OMAR, "nudge")) == 1
    assert {d.status for d in kinds(bot, "nudge")[:2]} == {"sent"}
    assert not [s for s in tl.to(OMAR) if s.text.startswith("I couldn't send")]


def test_an_error_the_creator_cannot_fix_is_logged_not_told(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    bot.standin.fail_next(POST, "missing_scope")  # the app's set-up, for an operator
    tl.tick()
    assert kinds(bot, "nudge")[0].status == "failed"
    assert "failed: missing_scope — the app lacks a scope" in caplog.text
    bot.clock.advance(timedelta(hours=1))
    tl.tick()
    assert not [s for s in tl.to(OMAR) if s.text.startswith("I couldn't send")]


# -- broken connections -----------------------------------------------------------------------


@pytest.mark.parametrize("after_processing", [True, False])
def test_a_dropped_connection_marks_the_row_unknown_and_never_resends(
    bot: Bot, after_processing: bool
) -> None:
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    bot.standin.drop_connection_next(POST, after_processing=after_processing)
    stats = bot.tick()
    tl.collect()
    assert stats.unknown == 1
    maya_nudge = kinds(bot, "nudge")[0]
    assert maya_nudge.recipient_id == MAYA
    assert maya_nudge.status == "unknown" and "connection broke" in (maya_nudge.last_error or "")
    for _ in range(6):  # later ticks and a later clock do not send it again
        bot.clock.advance(timedelta(hours=1))
        tl.tick()
    # Slack posted it (or did not) exactly as the connection left it: never twice.
    assert len(tl.to(MAYA, "nudge")) == (1 if after_processing else 0)
    assert len(tl.to(OMAR, "nudge")) == 1
    assert kinds(bot, "nudge")[0].status == "unknown"
    tries = [c for c in bot.standin.calls_to(POST) if c.get("channel") == MAYA]
    assert len([c for c in tries if str(c.get("text")).startswith(NUDGE_START)]) == 1


# -- downtime ---------------------------------------------------------------------------------


def test_after_an_outage_started_meetings_get_no_nudge_and_old_follow_ups_expire(
    bot: Bot,
) -> None:
    pair = start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()
    # Down from 1 Mar until 24 Mar 17:00 UTC: the meetings of 9, 16 and 23 Mar have passed.
    bot.clock.set(datetime(2027, 3, 24, 17, 0, tzinfo=UTC))
    tl.tick()
    assert tl.to(MAYA, "nudge") == [] and tl.to(OMAR, "nudge") == []
    past = [m.id for m in meetings(bot, pair)[:3]]
    rows = [d for d in kinds(bot, "nudge", "followup") if d.payload["meeting_id"] in past]
    assert len(rows) == 12
    assert {d.status for d in rows if d.kind == "nudge"} == {"expired"}
    assert all(d.sent_at is None and d.attempts == 0 for d in rows if d.status == "expired")
    # The follow-ups of the 23rd are still within their window; older ones expired.
    followups = {(d.payload["meeting_id"], d.recipient_id): d.status for d in rows}
    assert [followups[(past[2], u)] for u in (MAYA, OMAR)] == ["sent", "sent"]
    assert [followups[(m, u)] for m in past[:2] for u in (MAYA, OMAR)] == ["expired"] * 4
    assert [f.fallback for f in tl.to(MAYA, "followup")] == ["Tue 23 Mar at 10:00"]
    # The series carries on as planned.
    tl.run_until(at("2027-03-29T16:00", BERLIN))
    assert [n.fallback for n in tl.to(OMAR, "nudge")] == ["Tue 30 Mar at 15:00"]


def test_overdue_follow_ups_of_one_pair_collapse_into_the_newest(bot: Bot) -> None:
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.run_until(at("2027-03-08T16:00", BERLIN), timedelta(hours=4))
    # Maya moves the 9 Mar meeting to Sunday 14 Mar, two days before the next one.
    moved = reschedule(bot, MAYA, tl.to(MAYA, "nudge")[-1].message, "2027-03-14", "11:00")
    assert moved.status == 200  # type: ignore[attr-defined]
    tl.tick()
    # Down until 16 Mar 17:00 UTC: both meetings passed, both follow-ups are due and in window.
    bot.clock.set(datetime(2027, 3, 16, 17, 0, tzinfo=UTC))
    stats = bot.tick()
    tl.collect()
    assert stats.collapsed == 2
    for user, when in ((MAYA, "Tue 16 Mar at 10:00"), (OMAR, "Tue 16 Mar at 15:00")):
        assert [f.fallback for f in tl.to(user, "followup")] == [when]
    sunday = int(at("2027-03-14T11:00", NEW_YORK).timestamp())
    collapsed = [
        d
        for d in kinds(bot, "followup")
        if datetime.fromisoformat(d.payload["scheduled_at"]).timestamp() == sunday
    ]
    assert [(d.status, d.last_error) for d in collapsed] == [
        ("expired", "collapsed into a newer message")
    ] * 2
    nudges = [d for d in kinds(bot, "nudge") if d.due_at > at("2027-03-09T00:00", BERLIN)]
    assert {d.status for d in nudges if d.due_at < bot.clock.now()} == {"expired"}


# -- two dispatchers --------------------------------------------------------------------------

BOTH = [
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("sqlite", id="sqlite"),
]


@pytest.mark.parametrize("db_url", BOTH, indirect=True)
def test_two_dispatchers_on_one_database_send_each_row_exactly_once(bot: Bot, db_url: str) -> None:
    """The important variant is PostgreSQL (FOR UPDATE SKIP LOCKED, 1,000 rows); SQLite
    serialises claims with BEGIN IMMEDIATE and runs a smaller batch to stay quick."""
    n = 1000 if db_url.startswith("postgresql") else 300
    seed_notices(bot, n)
    services = bot.runtime.services
    dispatchers = [Dispatcher(services, owner=f"dispatcher-{i}", batch=10) for i in range(2)]
    sent: dict[str, int] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(dispatchers))

    def run(d: Dispatcher) -> None:
        try:
            barrier.wait()
            total = 0
            while (stats := d.tick(max_batches=5)).sent or stats.retried:
                total += stats.sent
            sent[d.owner] = total
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in dispatchers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    posted = posted_seeds(bot)
    assert len(posted) == n, f"lost {n - len(posted)}"
    assert max(posted.values()) == 1, [t for t, c in posted.items() if c > 1][:5]
    assert sum(sent.values()) == n and all(sent.values()), sent
    with bot.sessions() as s:
        assert status_counts(s, TEAM) == {"sent": n}


# -- errors while building a message ----------------------------------------------------------


def test_a_failing_lookup_while_rendering_does_not_stop_the_tick(bot: Bot) -> None:
    """users.info fails while Maya's nudge is built and the bot has never seen her (a week-old
    entry would do): the tick goes on, her nudge is retried."""
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    with bot.sessions.begin() as s:
        s.execute(delete(Person).where(Person.user_id == MAYA))
    bot.standin.fail_next("users.info", "fatal_error")
    stats = bot.tick()
    tl.collect()
    assert stats.retried == 1 and stats.sent >= 1
    assert len(tl.to(OMAR, "nudge")) == 1 and tl.to(MAYA, "nudge") == []
    maya = next(d for d in kinds(bot, "nudge") if d.recipient_id == MAYA)
    assert (maya.status, maya.last_error) == ("pending", "fatal_error")
    bot.clock.advance(timedelta(seconds=29))
    assert tl.tick() == []  # not before the back-off
    bot.clock.advance(timedelta(seconds=1))
    tl.tick()
    assert [n.fallback for n in tl.to(MAYA, "nudge")] == ["Tue 9 Mar at 09:00"]
    maya = next(d for d in kinds(bot, "nudge") if d.recipient_id == MAYA)
    assert (maya.status, maya.attempts) == ("sent", 2)


def test_a_failing_refresh_while_rendering_uses_the_cached_facts(bot: Bot) -> None:
    """The people cache is a week old and users.info fails: both nudges go out anyway."""
    start(bot, OMAR, plan())
    tl = Timeline(bot)
    tl.tick()
    bot.clock.set(at("2027-03-08T15:00", BERLIN))
    bot.standin.fail_next("users.info", "fatal_error")
    stats = bot.tick()
    tl.collect()
    assert (stats.sent, stats.retried, stats.failed) == (2, 0, 0)
    assert [n.fallback for n in tl.to(MAYA, "nudge")] == ["Tue 9 Mar at 09:00"]
    assert "*Maya*" in tl.to(OMAR, "nudge")[0].text


# -- stopping ---------------------------------------------------------------------------------


def test_stopping_during_a_long_tick_returns_promptly_and_loses_nothing(bot: Bot) -> None:
    """SIGTERM calls Heartbeat.stop: the tick ends after the message in flight, its claimed
    but unsent rows are pending again (attempt not counted), and a later tick sends them."""
    n = 300
    seed_notices(bot, n)
    bot.standin.delay(POST, 0.02)  # the whole tick would take over 6 s
    services = bot.runtime.services
    heartbeat = Heartbeat(services, Dispatcher(services, owner="stopping"), tick_seconds=3600)
    heartbeat.start()  # the first tick runs at once
    wait_for(lambda: len(posted_seeds(bot)) >= 20, timeout=20, what="the tick sending")
    began = time.monotonic()
    heartbeat.stop()
    took = time.monotonic() - began
    assert took < 3.0, f"stop took {took:.1f} s"  # the whole tick: over 5 s
    sent_before = posted_seeds(bot)
    with bot.sessions() as s:
        counts = status_counts(s, TEAM)
    assert set(counts) == {"sent", "pending"}, counts  # nothing left claimed or in flight
    assert counts["sent"] == len(sent_before) < n and max(sent_before.values()) == 1
    rows = deliveries(bot)
    assert {d.attempts for d in rows if d.status == "pending"} == {0}
    assert {d.due_at for d in rows if d.status == "pending"} == {bot.clock.now()}

    bot.standin.delay(POST, 0)
    while bot.tick().sent:
        pass
    assert posted_seeds(bot) == Counter(f"seeded message {i:05d}" for i in range(n))
    with bot.sessions() as s:
        assert status_counts(s, TEAM) == {"sent": n}


def test_a_stopped_dispatcher_claims_nothing(bot: Bot) -> None:
    seed_notices(bot, 3)
    dispatcher = Dispatcher(bot.runtime.services, owner="stopped")
    dispatcher.stop()
    assert dispatcher.tick().sent == 0
    assert {d.status for d in deliveries(bot)} == {"pending"}


def test_stopping_cuts_short_a_wait_for_retry_after(bot: Bot) -> None:
    """A tick waiting out a 429 (the clock runs by itself) ends at once when stopped."""
    seed_notices(bot, 5)
    bot.standin.rate_limit_next(POST, retry_after=8)
    running = replace(bot.runtime.services, clock=SimulatedClock(bot.clock.now()))
    dispatcher = Dispatcher(running, owner="waiting")
    ticking = threading.Thread(target=dispatcher.tick)
    ticking.start()
    wait_for(lambda: bot.standin.calls_to(POST), what="the rate-limited post")
    time.sleep(0.2)  # the tick is waiting now
    began = time.monotonic()
    dispatcher.stop()
    ticking.join(5)
    assert not ticking.is_alive() and time.monotonic() - began < 4.0  # Retry-After: 8 s
    assert posted_seeds(bot) == Counter()
    rows = deliveries(bot)
    assert {(d.status, d.attempts) for d in rows} == {("pending", 0)}


def test_a_backlog_drains_without_waiting_for_the_next_heartbeat(bot: Bot) -> None:
    """A tick that used all its batches is followed at once by another, not tick_seconds
    later (APScheduler skips the beats that fell due while the long tick ran)."""
    seed_notices(bot, 30)
    services = bot.runtime.services
    dispatcher = Dispatcher(services, owner="backlog", batch=5, max_batches=2)  # 10 a tick
    heartbeat = Heartbeat(services, dispatcher, tick_seconds=3600)
    heartbeat.start()
    try:
        wait_for(lambda: len(posted_seeds(bot)) == 30, timeout=10, what="the whole backlog")
    finally:
        heartbeat.stop()
    assert max(posted_seeds(bot).values()) == 1
    with bot.sessions() as s:
        assert status_counts(s, TEAM) == {"sent": 30}
