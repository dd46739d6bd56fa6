"""One workspace, one token: revoking it stops the schedules; signed traffic brings it back."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import Delivery, Pair, Workspace
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
