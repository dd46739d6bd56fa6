"""What Slack really sends besides the app's own listeners: `app_rate_limited` (top-level, not
an event callback) and requests no listener takes."""

from __future__ import annotations

import json
import logging

import pytest

from tests.kit.workspace import OMAR, TEAM, Bot


def test_app_rate_limited_is_answered_200_and_logged_once(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    # As Slack sends it (docs.slack.dev/reference/events/app_rate_limited): no envelope.
    body = {
        "token": "legacy-verification-token",
        "type": "app_rate_limited",
        "team_id": TEAM,
        "minute_rate_limited": 1518467820,
        "api_app_id": bot.standin.ws.app_id,
    }
    caplog.set_level(logging.DEBUG)
    response = bot.driver.post(json.dumps(body).encode(), "application/json")
    assert response.status == 200
    lines = [r for r in caplog.records if "app_rate_limited" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert "1518467820" in lines[0].getMessage()


def test_an_unhandled_request_is_one_debug_line(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    unhandled = [
        bot.driver.send_event({"type": "reaction_added", "user": OMAR, "reaction": "tada"}),
        bot.driver.post_payload(
            {
                "type": "block_actions",
                "user": {"id": OMAR},
                "team": {"id": TEAM},
                "actions": [{"action_id": "nobody_listens", "block_id": "b"}],
            }
        ),
        bot.driver.post_payload({"type": "shortcut", "callback_id": "x", "user": {"id": OMAR}}),
    ]
    assert [r.status for r in unhandled] == [200, 200, 200]
    mine = [r for r in caplog.records if r.getMessage().startswith("no listener for")]
    assert [r.getMessage() for r in mine] == [
        "no listener for event reaction_added; answered 200",
        "no listener for block_actions nobody_listens; answered 200",
        "no listener for shortcut; answered 200",
    ]
    assert all(r.levelno == logging.DEBUG for r in mine)
    # Nothing louder from the app or Bolt (the HTTP server's own queue warnings under a busy
    # machine are not about the request).
    ours = ("bot", "handlers", "slack_bolt", "slack_sdk")
    assert not [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(ours)
    ]
    assert not [r for r in caplog.records if "Unhandled request" in r.getMessage()]
