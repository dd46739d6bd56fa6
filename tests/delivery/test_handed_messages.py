"""Messages built by the request that queued their rows: sent by that request itself, or by
the request sending already (`Immediate`, `Dispatcher.send_now`), or handed to the scheduler
when that fails (`Dispatcher.give`); always through the outbox's claim and finish, and never
older than a rendering may be."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError

from bot.core.services import Waker
from bot.delivery.ahead import MAX_AGE
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.immediate import Immediate
from bot.delivery.render import Rendered
from bot.delivery.stats import DispatchStats
from bot.heartbeat import Heartbeat
from bot.plans.start import release_unsent
from storage.models import Delivery, DeliveryKind
from storage.outbox import NewDelivery, add_deliveries
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, TEAM, Bot, wait_for


def _reads_of_goals(engine: Engine) -> list[str]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "goals" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def _notice(bot: Bot, key: str, text: str) -> None:
    now = bot.clock.now()
    row = NewDelivery(
        team_id=TEAM,
        kind=DeliveryKind.NOTICE,
        recipient_id=MAYA,
        occurrence_key=key,
        due_at=now,
        payload={"text": text},
    )
    with bot.sessions.begin() as s:
        add_deliveries(s, [row], now)


def _refuse(self: Dispatcher, keys: Any, messages: Any, *claimed: Any) -> DispatchStats:
    """`Dispatcher.send_now` when the database fails before anything is claimed."""
    raise OperationalError("claim", {}, Exception("database is locked"))


def _posted(bot: Bot) -> list[str]:
    return [str(c["text"]) for c in bot.standin.calls_to("chat.postMessage")]


def test_a_handed_message_is_sent_as_built_and_a_stale_one_is_rendered(bot: Bot) -> None:
    dispatcher = Dispatcher(bot.runtime.services, owner="handed")
    _notice(bot, "test:fresh", "from the row")
    dispatcher.give({"test:fresh": Rendered("as built", [])})
    assert dispatcher.tick().sent == 1
    assert _posted(bot) == ["as built"]
    # Handed in, then not claimed for longer than a rendering may be used: read afresh.
    _notice(bot, "test:stale", "from the row again")
    dispatcher.give({"test:stale": Rendered("too old", [])})
    time.sleep(MAX_AGE + 0.1)
    assert dispatcher.tick().sent == 1
    assert _posted(bot)[-1] == "from the row again"
    with bot.sessions() as s:
        rows = s.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.NOTICE)).all()
        assert {(d.status, d.attempts, d.lease_owner) for d in rows} == {("sent", 1, None)}


def test_rows_queued_while_another_request_sends_are_sent_by_it(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While the first request is sending, a second queues its row and returns at once; the
    # first sends it after its own, as built, through the outbox's claim and finish.
    services = bot.runtime.services
    sender = Immediate()
    _notice(bot, "test:first", "first, from the row")
    _notice(bot, "test:second", "second, from the row")
    real = Dispatcher.send_now
    calls: list[tuple[str, list[str]]] = []
    returned: list[bool] = []

    def second() -> None:
        sender.send(services, ["test:second"], {"test:second": built2})
        returned.append(True)

    def send_now(self: Dispatcher, keys: Any, messages: Any, *claimed: Any) -> DispatchStats:
        calls.append((threading.current_thread().name, list(keys)))
        if len(calls) == 1:  # another request, while this one sends
            other = threading.Thread(target=second, name="second request")
            other.start()
            other.join(timeout=10)
            assert returned == [True] and len(calls) == 1  # it returned without sending
        return real(self, keys, messages, *claimed)

    built2 = Rendered("second, as built", [])
    monkeypatch.setattr(Dispatcher, "send_now", send_now)
    sender.send(services, ["test:first"], {"test:first": Rendered("first, as built", [])})
    me = threading.current_thread().name
    assert calls == [(me, ["test:first"]), (me, ["test:second"])]
    assert _posted(bot) == ["first, as built", "second, as built"]
    with bot.sessions() as s:
        rows = s.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.NOTICE)).all()
        assert {(d.status, d.attempts, d.lease_owner) for d in rows} == {("sent", 1, None)}
    # Nothing is left queued: the next request sends its own at once.
    _notice(bot, "test:third", "third")
    sender.send(services, ["test:third"], {})
    assert calls[-1] == (me, ["test:third"]) and _posted(bot)[-1] == "third"


def test_a_sender_that_fails_outright_leaves_the_next_request_to_send(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The send fails and so does waking the scheduler: the request sees the error (Bolt logs
    # it), the row stays pending, and the next request sends again instead of queueing behind
    # a sender that is gone.
    services = bot.runtime.services
    sender = Immediate()
    _notice(bot, "test:lost", "from the row")

    def no_wake(plan: bool, messages: Any) -> None:
        raise RuntimeError("no scheduler")

    failing = Waker()
    failing.set(no_wake)

    with monkeypatch.context() as patched:
        patched.setattr(Dispatcher, "send_now", _refuse)
        with pytest.raises(RuntimeError):
            sender.send(
                replace(services, waker=failing),
                ["test:lost"],
                {"test:lost": Rendered("as built", [])},
            )
    assert _posted(bot) == []
    sender.send(services, ["test:lost"], {"test:lost": Rendered("as built", [])})
    assert _posted(bot) == ["as built"]


class _Counting(Dispatcher):
    """A dispatcher that counts its ticks (the scheduler runs them on its own thread)."""

    ticks = 0

    def tick(self, max_batches: int | None = None) -> DispatchStats:
        try:
            return super().tick(max_batches)
        finally:
            self.ticks += 1


def _summaries_sent(bot: Bot) -> bool:
    with bot.sessions() as s:
        rows = s.scalars(select(Delivery.status).where(Delivery.kind == DeliveryKind.PLAN_SUMMARY))
        return list(rows) == ["sent", "sent"]


def test_summaries_the_request_cannot_send_go_to_the_scheduler_already_built(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The request's own send fails before anything is handed to Slack: its summaries, claimed
    # in the planning's transaction, go back to pending at once, and to the running scheduler
    # with their messages, which sends them without reading the plan again.
    monkeypatch.setattr(Dispatcher, "send_now", _refuse)
    services = bot.runtime.services
    dispatcher = _Counting(services, owner="beat")
    beat = Heartbeat(services, dispatcher, tick_seconds=3600)
    beat.start()
    reads = _reads_of_goals(bot.runtime.engine)
    try:
        wait_for(lambda: dispatcher.ticks == 1, timeout=10, what="the first beat")
        assert bot.driver.slash_command(OMAR, "start").status == 200
        view = wait_for(lambda: bot.standin.views_for(OMAR), what="the modal")[-1]
        # The new workspace's welcome woke the scheduler: its tick is over before the plan
        # is stored, so the only tick that can claim the summaries is the one this wakes.
        wait_for(lambda: dispatcher.ticks == 2, timeout=10, what="the welcome's tick")
        reads.clear()
        assert bot.driver.submit_view(OMAR, view.id, PLAN).status == 200
        wait_for(lambda: _summaries_sent(bot), timeout=10, what="the plan summaries")
    finally:
        beat.stop()
    assert bot.standin.dm_messages(MAYA)[0].text.startswith("📅 Your mentorship with *Omar*")
    assert reads == []  # neither the pair's goals nor anything of it read again to send them


_SUMMARY_ROWS = select(Delivery.status, Delivery.lease_owner, Delivery.attempts).where(
    Delivery.kind == DeliveryKind.PLAN_SUMMARY
)


def _summary_rows(bot: Bot) -> list[Any]:
    with bot.sessions() as s:
        return list(s.execute(_SUMMARY_ROWS))


def _stored_unsent(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A plan stored and planned, its summaries claimed by the planning, never sent (the
    request's send does nothing): the summaries' rows."""
    monkeypatch.setattr(Immediate, "send", lambda *args, **kwargs: None)
    assert bot.driver.slash_command(OMAR, "start").status == 200
    view = wait_for(lambda: bot.standin.views_for(OMAR), what="the modal")[-1]
    assert bot.driver.submit_view(OMAR, view.id, PLAN).status == 200

    def claimed() -> list[Any]:
        rows = _summary_rows(bot)
        return rows if [r.status for r in rows] == ["claimed", "claimed"] else []

    return wait_for(claimed, what="the summaries claimed by the planning")


def test_summaries_claimed_by_a_sender_that_died_go_out_once_when_the_lease_ends(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process ends after the planning's transaction (which claimed the summaries for this
    # process's sender) and before sending: no tick takes them while the claim's lease runs;
    # after it, a tick sends each once.
    rows = _stored_unsent(bot, monkeypatch)
    assert len({r.lease_owner for r in rows}) == 1 and rows[0].lease_owner
    tick = Dispatcher(bot.runtime.services, owner="tick")
    assert tick.tick().sent == 0
    lease = timedelta(seconds=bot.runtime.services.config.scheduler.lease_seconds)
    bot.clock.advance(lease + timedelta(seconds=1))
    tick.tick()
    assert _summaries_sent(bot)
    texts = [m.text for m in bot.standin.dm_messages(MAYA) + bot.standin.dm_messages(OMAR)]
    assert sum(t.startswith("📅") for t in texts) == 2


def test_summaries_claimed_when_serve_stops_go_back_to_waiting(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `serve` stops between the planning (which claimed the summaries) and sending them: what
    # it claimed goes back to pending, its attempt uncounted, and the next tick sends each
    # once without waiting for the lease.
    _stored_unsent(bot, monkeypatch)
    assert release_unsent(bot.runtime.services) >= 2
    assert {(r.status, r.lease_owner, r.attempts) for r in _summary_rows(bot)} == {
        ("pending", None, 0)
    }
    assert release_unsent(bot.runtime.services) == 0
    assert Dispatcher(bot.runtime.services, owner="tick").tick().sent >= 2
    assert _summaries_sent(bot)
