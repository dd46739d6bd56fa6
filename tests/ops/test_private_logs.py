"""No goal, note or reflection text in any log line, at any level: a marker text is pushed
through every failure path (a failed signature, a database error, a Slack error, a listener
that raises) with logging set up as `mentorship-bot serve` sets it, then looked for in stderr."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, text

from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.logs import NOISY, OWN_LEVEL, setup_logging
from bot.core.slack import make_client
from bot.standin import SlackDriver, SlackStandIn
from tests.kit.plans import PLAN
from tests.kit.workspace import MAYA, OMAR, SECRET, TEAM, TOKEN, Bot, make_config, wait_for

MARKER = "PRIVATE-a7f3-reflection"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging changes the process's root logger: put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*NOISY, *OWN_LEVEL)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def _serve(standin: SlackStandIn, db_url: str, clock: ManualClock) -> Bot:
    runtime = build_runtime(make_config(standin.api_url, db_url), clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    url = f"http://127.0.0.1:{server.port}/slack/events"
    driver = SlackDriver(standin, bot_url=url, signing_secret=SECRET)
    return Bot(runtime=runtime, server=server, standin=standin, driver=driver, clock=clock)


def _boom(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("a listener failed")


@pytest.mark.parametrize("level", ["debug", "info", "warning", "error"])
def test_no_private_text_in_any_log_line(
    level: str,
    standin: SlackStandIn,
    engine: Engine,
    db_url: str,
    clock: ManualClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    restore_logging: None,
) -> None:
    setup_logging(level)  # before the app is built, as `serve` does
    bot = _serve(standin, db_url, clock)
    try:
        # 1. A signature that fails (a rotated secret, a clock off by minutes).
        body = urlencode({"command": "/mentorship", "text": MARKER, "team_id": TEAM}).encode()
        assert bot.driver.post(body, signature_override="v0=" + "0" * 64).status == 401
        assert bot.driver.post(body, timestamp_override=1).status == 401

        # 2. Slack refuses a message that carries the text (the plan summary with the goals).
        bot.standin.fail_next("chat.postMessage", "invalid_blocks")
        goals = {**PLAN, "Mentee's goals": MARKER, "Shared vision": MARKER}
        assert bot.start_plan(OMAR, goals).status == 200
        bot.tick()

        # 3. A listener raises while handling a DM with the text.
        import handlers.reflections

        monkeypatch.setattr(handlers.reflections, "handle_dm", _boom)
        assert bot.driver.user_dm(MAYA, MARKER)[0].status == 200
        wait_for(
            lambda: any("went wrong" in m.text for m in bot.standin.dm_messages(MAYA)),
            what="the note",
        )

        # 4. The database refuses a statement whose parameters hold the text.
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE goals RENAME TO goals_away"))
        try:
            again = {**goals, "Mentee": "U0LENA0001"}
            assert bot.start_plan(OMAR, again).status == 200
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE goals_away RENAME TO goals"))
    finally:
        bot.server.stop()
        bot.runtime.engine.dispose()
    logged = capsys.readouterr().err
    assert MARKER not in logged
    # Each path was logged (at the levels that show it), so the test can see a leak.
    assert "failed: invalid_blocks" in logged
    assert logged.count("unhandled error while handling") >= 2
    assert ("refused a request to /slack/events" in logged) == (level != "error")


class Watched(str):
    """A text that counts how often something asked for its repr (as a log line's f-string)."""

    reprs = 0

    def __repr__(self) -> str:
        Watched.reprs += 1
        return super().__repr__()


@pytest.mark.parametrize("level", ["debug", "info"])
def test_a_slack_call_builds_no_debug_line_for_logging_to_drop(
    level: str, standin: SlackStandIn, restore_logging: None
) -> None:
    """slack_sdk builds a debug line with the request's whole body when its logger has no level
    of its own; as `serve` sets logging up, it has one, and the body is only sent."""
    setup_logging(level)
    client = make_client(TOKEN, standin.api_url)
    Watched.reprs = 0
    client.chat_postMessage(channel=MAYA, text=Watched("Your plan is set up"))
    assert [m.text for m in standin.dm_messages(MAYA)] == ["Your plan is set up"]
    assert Watched.reprs == 0
