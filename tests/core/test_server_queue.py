"""Requests waiting for a server thread: counted and logged once a minute at most, not one
WARNING per request as waitress does (thousands of lines in a burst)."""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterable
from typing import Any

import pytest

from bot.server import BotServer, QueueDepth
from tests.kit.workspace import wait_for


def test_one_line_when_waiting_starts_then_at_most_one_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    depth = QueueDepth(threads=8, every=60, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.server"):
        depth.warning("Task queue depth is %d", 1)
        for n in range(2, 11):
            now[0] += 5
            depth.warning("Task queue depth is %d", n % 4 + 1)
        now[0] += 20  # 65 s after the first line
        depth.warning("Task queue depth is %d", 2)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "all 8 server threads busy: 1 request waited for one, at most 1 at once; "
        "if this goes on, add serve processes behind the load balancer",
        "all 8 server threads busy: 10 requests waited for one in the last 65 s, at most 4 at "
        "once; if this goes on, add serve processes behind the load balancer",
    ]


def test_a_busy_server_logs_one_line_for_its_queue(caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()
    started = threading.Semaphore(0)

    def slow(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started.release()
        assert release.wait(10)
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    server = BotServer(slow, "127.0.0.1", 0, threads=1)
    server.start()
    statuses: list[int] = []

    def ask() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/")
        statuses.append(conn.getresponse().status)
        conn.close()

    clients = [threading.Thread(target=ask) for _ in range(4)]
    try:
        with caplog.at_level(logging.WARNING):
            for client in clients:
                client.start()
            assert started.acquire(timeout=10)  # the one thread is busy with the first
            dispatcher: Any = server._server.task_dispatcher
            wait_for(lambda: len(dispatcher.queue) == 3, what="three requests queued")
            release.set()
            for client in clients:
                client.join(10)
    finally:
        release.set()
        server.stop()
    assert statuses == [200] * 4
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "Task queue depth" in m]
    busy = [m for m in messages if "server threads busy" in m]
    assert busy == [
        "all 1 server threads busy: 1 request waited for one, at most 1 at once; "
        "if this goes on, add serve processes behind the load balancer"
    ]
