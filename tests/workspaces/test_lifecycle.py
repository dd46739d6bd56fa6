"""One workspace, one token: revoking it stops the schedules; signed traffic brings it back."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.services import RecentlySeen
from bot.workspaces import activity
from storage.models import Delivery, Pair, Workspace
from storage.workspaces import workspace_status
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, Bot, wait_for


def _status(bot: Bot) -> str | None:
    with bot.sessions() as s:
        row = s.scalars(select(Workspace)).first()
        return row.status if row else None


def test_revoked_token_stops_and_traffic_restarts_the_workspace(bot: Bot) -> None:
    assert bot.start_plan(OMAR, PLAN).status == 200
    bot.tick()
    assert "/mentorship start" in bot.driver.slash_command(OMAR, "help").body  # seen active

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert bot.driver.send_event(revoked).status == 200
    wait_for(lambda: _status(bot) == "uninstalled", what="the workspace to stop")
    with bot.sessions() as s:
        pending = s.scalars(select(Delivery).where(Delivery.status == "pending")).all()
        assert pending == []
    bot.clock.advance(timedelta(days=8))
    bot.tick()
    assert not [m for m in bot.standin.dm_messages(MAYA) if "mentorship session" in m.text]

    # A new token was installed and someone uses the app: a signed request means it is back,
    # even though this process saw the workspace active a moment before it stopped.
    assert bot.driver.slash_command(MAYA, "help").status == 200
    assert _status(bot) == "active"
    with bot.sessions() as s:
        assert s.scalars(select(Pair)).one().planned_until is None  # to be planned again
    for _ in range(15):  # to the day after the following meeting (every two weeks)
        bot.tick()
        bot.clock.advance(timedelta(days=1))
    nudges = [m for m in bot.standin.dm_messages(MAYA) if "mentorship session" in m.text]
    # The messages the stop cancelled went out after all: the nudge for that afternoon's
    # meeting (cancelled the day before) and, two weeks on, the next meeting's — each once.
    assert len(nudges) == 2, [n.text for n in nudges]
    assert "Tue 9 Mar" in nudges[0].text and "Tue 23 Mar" in nudges[1].text
    with bot.sessions() as s:
        assert s.scalars(select(Delivery).where(Delivery.status == "cancelled")).all() == []


def test_revoke_then_uninstall_never_revives_the_workspace(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack sends tokens_revoked and then app_uninstalled, both signed, milliseconds apart. The
    # second is no "traffic from a returning workspace": the cancelled messages stay cancelled
    # in between (a tick there could have sent them) and keep the first stop's reason.
    caplog.set_level(logging.WARNING, logger="bot.workspaces.activity")
    assert bot.start_plan(OMAR, PLAN).status == 200
    bot.tick()
    assert bot.driver.slash_command(OMAR, "help").status == 200  # seen active
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert bot.driver.send_event(revoked).status == 200
    wait_for(lambda: _status(bot) == "uninstalled", what="the workspace to stop")
    assert bot.driver.send_event({"type": "app_uninstalled"}).status == 200
    wait_for(
        lambda: any("app uninstalled" in r.getMessage() for r in caplog.records),
        what="the uninstall handled",
    )
    assert not [r for r in caplog.records if "active again" in r.getMessage()]
    with bot.sessions() as s:
        cancelled = s.scalars(select(Delivery).where(Delivery.status == "cancelled")).all()
        assert cancelled and {d.last_error for d in cancelled} == {
            "workspace stopped: bot token revoked"
        }
        # Never revived in between: a revival logs "active again" and rewrites the reasons.
        assert s.scalars(select(Workspace)).one().status == "uninstalled"


def test_a_workspace_seen_active_a_while_ago_is_read_again_beside_the_requests(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen active longer ago than the few seconds it is trusted for, the workspace is read
    again on the checker's thread: no request waits for that read (not the one that found it
    due, not those arriving while it runs, which start no second read), and a workspace
    stopped meanwhile (by another process: this one was not told) still comes back."""
    assert bot.driver.slash_command(OMAR, "help").status == 200  # seen active
    # A new workspace is recorded on the welcome's thread, while the request is answered.
    wait_for(lambda: _status(bot) == "active", what="the new workspace recorded")
    monkeypatch.setattr(bot.runtime.services.active_teams, "ttl", 0.0)  # the check is due
    with bot.sessions.begin() as s:
        s.scalars(select(Workspace)).one().status = "uninstalled"
    reads, go_on = [], threading.Event()

    def slow_read(session: Session, team_id: str) -> str | None:
        reads.append(team_id)
        assert go_on.wait(30)
        return workspace_status(session, team_id)

    monkeypatch.setattr(activity, "workspace_status", slow_read)
    try:
        for person in (MAYA, OMAR, MAYA):  # answered while the read waits
            assert bot.driver.slash_command(person, "help").status == 200
        wait_for(lambda: len(reads) == 1, what="the read on the checker's thread")
        assert _status(bot) == "uninstalled"
    finally:
        go_on.set()
    wait_for(lambda: _status(bot) == "active", what="the workspace to come back")
    assert len(reads) == 1


def test_seen_keys_are_due_for_a_check_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key confirmed longer ago than its ttl is known, and due to one caller until it is
    confirmed, forgotten or released; a key never confirmed, or recent, is not due."""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    seen = RecentlySeen(ttl=10.0)
    assert not seen.due("T1") and not seen.known("T1") and "T1" not in seen
    seen.add("T1")
    assert "T1" in seen and seen.known("T1") and not seen.due("T1")
    now[0] += 10.0
    assert "T1" not in seen and seen.known("T1")
    assert seen.due("T1") and not seen.due("T1")
    seen.release("T1")
    assert seen.due("T1")
    seen.add("T1")
    assert "T1" in seen and not seen.due("T1")
    now[0] += 10.0
    assert seen.due("T1")
    seen.forget("T1")
    assert not seen.due("T1") and not seen.known("T1") and "T1" not in seen
