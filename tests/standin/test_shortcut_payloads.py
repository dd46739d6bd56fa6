"""The driver's shortcut payloads have the keys Slack sends.

The shared reference folder (../shared/slack-reference) holds no shortcut recordings, so the key
names are written down here from Slack's own published samples:

- `message_action`: slackapi/java-slack-sdk json-logs/samples/app-backend/message-actions/
  MessageActionPayload.json and interactive-components/MessageShortcutPayload.json (recorded
  payloads, values masked): their top-level keys and those of `team`, `user` and `channel`
  (`enterprise_id`/`enterprise_name` in `team` are Enterprise Grid only).
- `shortcut` (global): the example on docs.slack.dev, reference/interaction-payloads/shortcuts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.standin import DriverError, RecordedMessage, SlackDriver, SlackStandIn
from tests.kit.workspace import MAYA, OMAR

MESSAGE_ACTION_KEYS = {
    "type",
    "callback_id",
    "trigger_id",
    "message_ts",
    "response_url",
    "message",
    "enterprise",
    "team",
    "user",
    "channel",
    "token",
    "action_ts",
    "is_enterprise_install",
}
GLOBAL_SHORTCUT_KEYS = {
    "type",
    "token",
    "action_ts",
    "team",
    "user",
    "is_enterprise_install",
    "enterprise",
    "callback_id",
    "trigger_id",
}
TEAM_KEYS, CHANNEL_KEYS = {"id", "domain"}, {"id", "name"}
USER_KEYS = {"message_action": {"id", "name", "team_id"}, "shortcut": {"id", "username", "team_id"}}


@pytest.fixture
def sent() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A plain HTTP target in the bot's place: what the driver posts, decoded."""
    payloads: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.headers["Content-Type"].startswith("application/x-www-form-urlencoded"):
                payloads.append(json.loads(parse_qs(body)["payload"][0]))  # (events are JSON)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", payloads
    server.shutdown()
    server.server_close()


def test_a_global_shortcut_is_sent_as_slack_sends_it(
    standin: SlackStandIn, sent: tuple[str, list[dict[str, Any]]]
) -> None:
    url, payloads = sent
    SlackDriver(standin, url).global_shortcut(OMAR, "start_mentorship")
    [payload] = payloads
    assert set(payload) >= GLOBAL_SHORTCUT_KEYS
    assert "channel" not in payload and "message" not in payload  # none in a global shortcut
    assert payload["type"] == "shortcut" and payload["callback_id"] == "start_mentorship"
    assert set(payload["team"]) >= TEAM_KEYS and set(payload["user"]) >= USER_KEYS["shortcut"]
    assert standin.ws.use_trigger(payload["trigger_id"]) == OMAR  # a live, single-use trigger


def test_a_message_shortcut_carries_the_message_and_its_channel(
    standin: SlackStandIn, sent: tuple[str, list[dict[str, Any]]]
) -> None:
    url, payloads = sent
    standin.add_channel("C0TALK0001", "team-talk", members=[OMAR, MAYA])
    driver = SlackDriver(standin, url)
    _, ts = driver.send_message_event(MAYA, channel_id="C0TALK0001", text="Ship the beta")
    message = standin.ws.find_message("C0TALK0001", ts)
    assert message is not None
    driver.message_shortcut(OMAR, "add_as_goal", message)
    payload = payloads[-1]
    assert set(payload) >= MESSAGE_ACTION_KEYS
    assert payload["type"] == "message_action" and payload["message_ts"] == ts
    assert set(payload["team"]) >= TEAM_KEYS and set(payload["channel"]) >= CHANNEL_KEYS
    assert set(payload["user"]) >= USER_KEYS["message_action"]
    assert payload["channel"] == {"id": "C0TALK0001", "name": "team-talk"}
    assert {k: payload["message"][k] for k in ("type", "text", "user", "ts")} == {
        "type": "message",
        "text": "Ship the beta",
        "user": MAYA,
        "ts": ts,
    }
    assert payload["response_url"].startswith(standin.base_url)


def test_slack_offers_message_shortcuts_only_where_they_exist(
    standin: SlackStandIn, sent: tuple[str, list[dict[str, Any]]]
) -> None:
    url, payloads = sent
    standin.add_channel("C0SECRET01", "secret", is_private=True, members=[MAYA])
    driver = SlackDriver(standin, url)
    _, ts = driver.send_message_event(MAYA, channel_id="C0SECRET01", text="Private plans")
    hidden = standin.ws.find_message("C0SECRET01", ts)
    assert hidden is not None
    with pytest.raises(DriverError, match="cannot see"):
        driver.message_shortcut(OMAR, "add_as_goal", hidden)
    ephemeral = RecordedMessage(  # an answer only Omar sees
        channel=standin.dm_channel_id(OMAR),
        user=standin.bot_user_id,
        text="Only you can see this",
        blocks=[],
        ts=standin.ws.next_ts(),
        ephemeral_to=OMAR,
        bot_id=standin.ws.bot_id,
    )
    standin.ws.record_message(ephemeral)
    with pytest.raises(DriverError, match="ephemeral"):
        driver.message_shortcut(OMAR, "add_as_goal", ephemeral)
    assert [p for p in payloads if p.get("type") == "message_action"] == []
