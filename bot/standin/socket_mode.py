"""A Socket Mode stand-in: the WebSocket side of Slack's Socket Mode, and a driver over it.

Slack's Socket Mode protocol: the app calls `apps.connections.open` with its app-level token
(xapp-...) and gets a `wss://` URL; on connecting it receives `{"type": "hello"}`; Slack then
sends envelopes `{"envelope_id", "type": "slash_commands" | "interactive" | "events_api",
"payload", "accepts_response_payload", "retry_attempt", "retry_reason"}` and the app answers
each with `{"envelope_id", "payload"?}` (the payload carries what an HTTP response body would).
An envelope that is not acknowledged may be sent again with `retry_attempt` increased.

Needs the `websockets` package (a development dependency).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl

from bot.standin.driver import SlackDriver
from bot.standin.driver_base import DriverResponse
from bot.standin.server import SlackStandIn

JSON = dict[str, Any]


class SocketModeStandIn:
    """Accepts the app's WebSocket, sends envelopes, collects acknowledgements."""

    def __init__(self, standin: SlackStandIn, app_token: str = "xapp-1-test") -> None:
        from websockets.sync.server import serve

        self.standin, self.app_token = standin, app_token
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._connections: list[Any] = []
        self._acks: dict[str, JSON] = {}
        self._cond = threading.Condition()
        self.received: list[JSON] = []  # every frame the app sent, for assertions
        standin.socket_mode = self  # the Web API stand-in answers apps.connections.open

    @property
    def url(self) -> str:
        """The WebSocket URL handed out by apps.connections.open."""
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4().hex}"

    def start(self) -> SocketModeStandIn:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket."""
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _handle(self, connection: Any) -> None:
        with self._cond:
            self._connections.append(connection)
            self._cond.notify_all()
        connection.send(
            json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "standin"}})
        )
        try:
            for frame in connection:
                data = json.loads(frame)
                with self._cond:
                    self.received.append(data)
                    if "envelope_id" in data:
                        self._acks[data["envelope_id"]] = data
                    self._cond.notify_all()
        except Exception:  # the app went away: it will reconnect through apps.connections.open
            pass
        finally:
            with self._cond:
                if connection in self._connections:
                    self._connections.remove(connection)

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Block until the app holds a connection."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._connections), timeout):
                raise AssertionError("the app never connected over Socket Mode")

    def send(
        self,
        kind: str,
        payload: JSON,
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send one envelope to the app; return its id."""
        self.wait_connected()
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        with self._cond:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> JSON:
        """The app's acknowledgement of an envelope."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            return self._acks[envelope_id]

    def forget_ack(self, envelope_id: str) -> None:
        """Drop a stored acknowledgement (before re-sending the same envelope)."""
        with self._cond:
            self._acks.pop(envelope_id, None)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours."""
        with self._cond:
            connection = self._connections[-1]
        connection.send(json.dumps({"type": "disconnect", "reason": reason}))


class SocketModeDriver(SlackDriver):
    """The same people and payloads as SlackDriver, delivered as Socket Mode envelopes."""

    def __init__(self, standin: SlackStandIn, socket: SocketModeStandIn) -> None:
        super().__init__(standin, bot_url="socket-mode://", signing_secret=None)
        self.socket = socket

    def post(
        self, body: bytes, content_type: str = "", *, headers: Any = None, **_: Any
    ) -> DriverResponse:
        """Send what would have been an HTTP request as an envelope; the ack is the response."""
        retry = int((headers or {}).get("X-Slack-Retry-Num", 0))
        reason = str((headers or {}).get("X-Slack-Retry-Reason", ""))
        if content_type.startswith("application/json"):
            kind, payload = "events_api", json.loads(body)
            envelope_id = f"event-{payload.get('event_id')}" if retry else None
            if retry:  # a retried event re-uses the first delivery's envelope
                envelope_id = self._first_envelope.get(str(payload.get("event_id")), envelope_id)
        else:
            fields = dict(parse_qsl(body.decode()))
            if "payload" in fields:
                kind, payload = "interactive", json.loads(fields["payload"])
            else:
                kind, payload = "slash_commands", fields
            envelope_id = None
        if envelope_id is not None:
            self.socket.forget_ack(envelope_id)  # wait for the app's answer to the retry itself
        sent = self.socket.send(
            kind, payload, envelope_id=envelope_id, retry_attempt=retry, retry_reason=reason
        )
        if kind == "events_api":
            self._first_envelope.setdefault(str(payload.get("event_id")), sent)
        ack = self.socket.wait_ack(sent)
        answer = ack.get("payload")
        text = json.dumps(answer) if isinstance(answer, dict) else str(answer or "")
        return DriverResponse(200, text, answer if isinstance(answer, dict) else None)

    @property
    def _first_envelope(self) -> dict[str, str]:
        if not hasattr(self, "_envelopes"):
            self._envelopes: dict[str, str] = {}
        return self._envelopes
