"""The Web API client keeps each thread's connection open between calls, and answers and fails
exactly as slack_sdk's own client does on a new connection per call."""

from __future__ import annotations

import http.client
import json
import os
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import handlers.reflections
from bot.core import slack
from bot.core.slack import KeptAliveClient, make_client
from tests.kit.workspace import MAYA, TOKEN, Bot, wait_for


@dataclass
class Plan:
    """What the test server does with the next requests, and what it saw."""

    answers: list[str] = field(default_factory=list)  # "ok", "429", "500", "drop", "close", "reset"
    seen: list[tuple[int, str]] = field(default_factory=list)  # (client port, method)
    closed: threading.Event = field(default_factory=threading.Event)  # a connection was closed


def _server(plan: Plan) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            plan.seen.append((self.client_address[1], self.path.rsplit("/", 1)[-1]))
            what = plan.answers.pop(0) if plan.answers else "ok"
            if what == "drop":  # closed without an answer
                self.close_connection = True
                return
            status = 200
            body: dict[str, Any] = {"ok": True, "port": self.client_address[1]}
            headers: dict[str, str] = {}
            if what == "429":
                status, body = 429, {"ok": False, "error": "ratelimited"}
                headers["Retry-After"] = "7"
            elif what == "500":
                status, body = 500, {"ok": False, "error": "fatal_error"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            if what in ("close", "reset"):  # closed after answering, without saying so
                if what == "reset":  # with a reset (RST), not an orderly close
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def shutdown_request(self, request: Any) -> None:
            super().shutdown_request(request)
            plan.closed.set()

    return Server(("127.0.0.1", 0), Handler)


def _closed(plan: Plan) -> None:
    """Wait until the server has closed the connection it answered on (a server closes an idle
    connection long after its last answer; here it is at once, so the test waits for it)."""
    assert plan.closed.wait(5)
    plan.closed.clear()


@pytest.fixture
def served() -> Iterator[tuple[Plan, str]]:
    plan = Plan()
    server = _server(plan)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield plan, f"http://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()


def _port(response: Any) -> int:
    return int(response["port"])


def test_a_threads_calls_share_one_connection_and_threads_do_not(served: tuple[Plan, str]) -> None:
    plan, url = served
    client = make_client(TOKEN, url)
    assert isinstance(client, KeptAliveClient)
    ports = [_port(client.chat_postMessage(channel="U1", text="hi")) for _ in range(5)]
    ports.append(_port(client.users_info(user="U1")))
    assert len(set(ports)) == 1
    other: list[int] = []
    thread = threading.Thread(target=lambda: other.append(_port(client.api_test())))
    thread.start()
    thread.join()
    assert other and other[0] not in ports
    assert [m for _, m in plan.seen] == ["chat.postMessage"] * 5 + ["users.info", "api.test"]


def test_a_connection_the_server_closed_is_not_used_again(
    served: tuple[Plan, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, url = served
    client = make_client(TOKEN, url, retries=False)
    sent_on: list[int] = []  # the connection of every request written, closed ones included
    request = http.client.HTTPConnection.request

    def counted(conn: http.client.HTTPConnection, *args: Any, **kwargs: Any) -> None:
        sent_on.append(id(conn))
        request(conn, *args, **kwargs)

    monkeypatch.setattr(http.client.HTTPConnection, "request", counted)
    for how in ("close", "reset"):
        plan.answers = [how]
        first = _port(client.chat_postMessage(channel="U1", text="hi"))
        _closed(plan)
        second = _port(client.chat_postMessage(channel="U1", text="hi"))
        assert first != second
    assert len(plan.seen) == 4  # each request sent once
    assert len(sent_on) == 4  # and written once: never on the connection the server closed


@pytest.mark.parametrize("why", ["idle too long", "in a forked child"])
def test_a_kept_connection_is_not_used_again(
    served: tuple[Plan, str], monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    _, url = served
    client = make_client(TOKEN, url)
    first = _port(client.api_test())
    assert _port(client.api_test()) == first
    if why == "idle too long":
        monkeypatch.setattr(slack, "KEEP_IDLE", -1.0)
    else:
        pid = os.getpid()
        monkeypatch.setattr(os, "getpid", lambda: pid + 1)  # as in a child after fork()
    assert _port(client.api_test()) != first


def test_a_request_the_kept_connection_could_not_send_goes_once_on_a_new_one(
    served: tuple[Plan, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server reset the connection, and the check before use missed it: sending fails, so
    the server read nothing, and the request goes on a new connection."""
    plan, url = served
    client = make_client(TOKEN, url, retries=False)
    monkeypatch.setattr(slack, "_closed_by_server", lambda conn: False)
    plan.answers = ["reset"]
    first = _port(client.chat_postMessage(channel="U1", text="hi"))
    _closed(plan)
    second = _port(client.chat_postMessage(channel="U1", text="again"))
    assert second != first
    assert [m for _, m in plan.seen] == ["chat.postMessage", "chat.postMessage"]


def test_a_request_sent_on_a_connection_closed_under_it_is_not_sent_again(
    served: tuple[Plan, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent, and the connection closed before any answer: Slack may have read it, so a
    `chat.postMessage` is never repeated (the outbox marks it unknown)."""
    plan, url = served
    client = make_client(TOKEN, url)
    client.api_test()
    plan.answers = ["drop"]
    with pytest.raises(http.client.RemoteDisconnected):
        client.chat_postMessage(channel="U1", text="hi")
    assert [m for _, m in plan.seen] == ["api.test", "chat.postMessage"]


@pytest.mark.parametrize("answer", ["ok", "429", "500", "drop"])
@pytest.mark.parametrize("call", ["chat_postMessage", "users_info"])
def test_answers_and_failures_are_those_of_slack_sdks_own_client(
    served: tuple[Plan, str], answer: str, call: str
) -> None:
    """For each answer (second call, on a kept connection), our client and slack_sdk's plain
    one (a new connection per call) give the same result or raise the same error."""
    plan, url = served
    outcomes: list[tuple[Any, ...]] = []
    for client in (  # no retry handlers (slack_sdk's default one retries a dropped call)
        WebClient(token=TOKEN, base_url=url, retry_handlers=[]),
        KeptAliveClient(token=TOKEN, base_url=url, retry_handlers=[]),
    ):
        client.api_test()
        plan.answers = [answer]
        kwargs: dict[str, Any] = {"user": "U1"} if call == "users_info" else {}
        try:
            response = getattr(client, call)(**(kwargs or {"channel": "U1", "text": "hi"}))
            outcomes.append(("ok", response.status_code, response["ok"]))
        except SlackApiError as exc:
            retry_after = {k.lower(): v for k, v in exc.response.headers.items()}.get("retry-after")
            outcomes.append(("slack", exc.response.status_code, exc.response["error"], retry_after))
        except Exception as exc:
            outcomes.append((type(exc).__name__,))
    assert outcomes[0] == outcomes[1]
    expected = {
        "ok": ("ok", 200, True),
        "429": ("slack", 429, "ratelimited", "7"),
        "500": ("slack", 500, "fatal_error", None),
        "drop": ("RemoteDisconnected",),
    }[answer]
    assert outcomes[0] == expected


def test_nothing_listening_is_a_url_error_as_slack_sdk_raises() -> None:
    """Connection refused: nothing reached Slack (the outbox tries again later). The port is
    held bound and not listening for the whole test (connections to it are refused), so no
    other process can start listening on it meanwhile."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/api/"
        for client in (
            WebClient(token=TOKEN, base_url=url, retry_handlers=[]),
            make_client(TOKEN, url, retries=False),
        ):
            with pytest.raises(URLError) as caught:
                client.chat_postMessage(channel="U1", text="hi")
            assert isinstance(caught.value.reason, ConnectionRefusedError)


def test_a_connection_the_server_closed_shows_before_use(served: tuple[Plan, str]) -> None:
    plan, url = served
    host = url.split("/")[2]
    conn = http.client.HTTPConnection(host, timeout=5)
    try:
        for answer, closed in (("ok", False), ("close", True)):
            plan.answers = [answer]
            conn.request("POST", "/api/api.test", body=b"")
            conn.getresponse().read()
            if closed:
                _closed(plan)
            assert slack._closed_by_server(conn) is closed
    finally:
        conn.close()


def test_listeners_get_the_workspaces_pooled_client(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bolt makes a new slack_sdk client for every request; listeners are handed the pooled
    one with the same token instead, so their calls keep the connection too."""
    seen: list[Any] = []
    monkeypatch.setattr(
        handlers.reflections, "handle_dm", lambda services, client, *a, **k: seen.append(client)
    )
    for _ in range(2):
        assert bot.driver.user_dm(MAYA, "hello")[0].status == 200
    wait_for(lambda: len(seen) == 2, what="both DMs handled")
    pooled = bot.runtime.services.clients
    assert pooled is not None
    assert seen[0] is seen[1] is pooled.for_token(TOKEN)
    assert isinstance(seen[0], KeptAliveClient)
