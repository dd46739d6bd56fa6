"""Socket Mode: the same handlers as HTTP, over a local WebSocket that speaks Slack's envelopes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import select

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.standin import SlackStandIn
from bot.standin.socket_mode import SocketModeDriver, SocketModeStandIn
from storage.models import Pair, ReflectionAnswer
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, make_config, wait_for

APP_TOKEN = "xapp-1-A0APP00001-test"


def sent_ids(socket: SocketModeStandIn) -> list[str]:
    return [f["envelope_id"] for f in socket.received if "envelope_id" in f]


def stays(predicate: Callable[[], bool], seconds: float = 0.5) -> None:
    """Assert that something remains true while the app finishes background work."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert predicate()
        time.sleep(0.02)


@pytest.fixture
def socket_bot(
    standin: SlackStandIn, engine, db_url: str, clock: ManualClock
) -> Iterator[tuple[SocketModeDriver, SocketModeStandIn, object]]:
    socket = SocketModeStandIn(standin, app_token=APP_TOKEN).start()
    runtime = build_runtime(make_config(standin.api_url, db_url), clock=clock, check=False)
    handler = SocketModeHandler(runtime.app, APP_TOKEN)
    handler.connect()  # type: ignore[no-untyped-call]
    socket.wait_connected()
    yield SocketModeDriver(standin, socket), socket, runtime
    handler.close()  # type: ignore[no-untyped-call]
    socket.stop()
    runtime.engine.dispose()


def test_hello_command_modal_and_plan_over_socket_mode(socket_bot, standin: SlackStandIn) -> None:
    driver, socket, runtime = socket_bot
    r = driver.slash_command(OMAR, "help")
    assert r.status == 200 and "/mentorship start" in r.body
    driver.slash_command(OMAR, f"start <@{MAYA}>")
    view = wait_for(lambda: standin.views_for(OMAR), what="the modal")[-1]
    bad = driver.submit_view(OMAR, view.id, {**PLAN, "Mentee": OMAR})
    assert bad.json and bad.json["response_action"] == "errors" and "mentee" in bad.json["errors"]
    ok = driver.submit_view(OMAR, view.id, PLAN)
    assert ok.status == 200 and ok.json is None
    with runtime.services.sessions() as s:
        assert len(s.scalars(select(Pair)).all()) == 1
    # Every envelope was acknowledged exactly once by the app.
    acked = [f["envelope_id"] for f in socket.received if "envelope_id" in f]
    assert len(acked) == len(set(acked)) == 4


def test_retried_envelope_is_handled_once_and_reconnect_works(
    socket_bot, standin: SlackStandIn
) -> None:
    driver, socket, runtime = socket_bot
    channel = standin.dm_channel_id(MAYA)
    event = {
        "type": "message",
        "channel": channel,
        "user": MAYA,
        "text": "hello",
        "ts": "1800000000.000100",
        "channel_type": "im",
    }
    first = driver.send_event(event)
    driver.send_event(event, event_id=first.event_id, retry_num=1, retry_reason="timeout")
    wait_for(lambda: standin.dm_messages(MAYA), what="the reply")
    with runtime.services.sessions() as s:
        assert len(s.scalars(select(ReflectionAnswer)).all()) == 1  # the DM was recorded once
    acks = [f for f in socket.received if f.get("envelope_id") == sent_ids(socket)[-1]]
    assert len(acks) == 2  # the first delivery and the retry were both acknowledged
    stays(lambda: len(standin.dm_messages(MAYA)) == 1)  # one helpful reply, not two
    # Slack asks for a reconnect now and then; the client reconnects and keeps working.
    socket.disconnect()
    wait_for(
        lambda: len([c for c in standin.calls if c[0] == "apps.connections.open"]) >= 2,
        what="a reconnect",
    )
    socket.wait_connected()
    assert driver.slash_command(OMAR, "help").status == 200
