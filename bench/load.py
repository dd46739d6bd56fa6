"""The load generator: signs prepared Slack requests and sends them at a fixed concurrency over
keep-alive connections, timing each one on CLOCK_MONOTONIC. Also the client of the stand-in
process's control API."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import PY, SECRET, Proc, wait_until
from bot.standin.driver_base import sign

PATH = "/slack/events"


@dataclass(frozen=True)
class Prepared:
    """A Slack request ready to sign and send; `key` ties it to what the bot does next."""

    key: str
    body: bytes
    content_type: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Sample:
    key: str
    start: float
    end: float
    status: int
    body: bytes
    followed: float | None = None  # when the Slack call the request caused reached the stand-in

    @property
    def seconds(self) -> float:
        return self.end - self.start


def _send(conn: http.client.HTTPConnection, item: Prepared) -> tuple[int, bytes]:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": item.content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(SECRET, timestamp, item.body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        **item.headers,
    }
    conn.request("POST", PATH, body=item.body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _await(conn: http.client.HTTPConnection, method: str, key: str) -> float | None:
    body = json.dumps({"method": method, "key": key, "timeout": 30}).encode()
    conn.request("POST", "/wait", body=body, headers={"Content-Type": "application/json"})
    found = json.loads(conn.getresponse().read()).get("at")
    return None if found is None else float(found)


def send_all(
    port: int,
    items: list[Prepared],
    concurrency: int,
    follow: str | None = None,
    control_url: str | None = None,
) -> tuple[list[Sample], float]:
    """Send every item with `concurrency` clients; return the samples and the wall time.

    With `follow` (a Web API method), each client also waits until the stand-in has received the
    call its request caused (views.open, or the reply's chat.postMessage) before it sends its next
    request: `concurrency` people, each waiting to see the result of what they did."""
    work: queue.Queue[Prepared] = queue.Queue()
    for item in items:
        work.put(item)
    samples: list[Sample] = []
    lock = threading.Lock()
    go = threading.Event()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        control = None
        if follow is not None:
            assert control_url is not None
            where = urlsplit(control_url)
            control = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
        mine: list[Sample] = []
        go.wait()
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                break
            start = time.monotonic()
            try:
                status, body = _send(conn, item)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, body = 599, repr(exc).encode()
            end = time.monotonic()
            followed = None
            if control is not None and follow is not None and status == 200:
                followed = _await(control, follow, item.key)
            mine.append(Sample(item.key, start, end, status, body, followed))
        conn.close()
        if control is not None:
            control.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    began = time.monotonic()
    go.set()
    for t in threads:
        t.join()
    return samples, time.monotonic() - began


class StandIn:
    """The stand-in process and its control API."""

    def __init__(self, logs: Path) -> None:
        ready = logs / "standin.ready.json"
        ready.unlink(missing_ok=True)
        self.proc = Proc.spawn(
            "standin", [PY, "-m", "bench.standin_proc", "--ready-file", str(ready)], logs
        )
        wait_until(lambda: ready.exists() and ready.read_text(), timeout=30, what="the stand-in")
        data = json.loads(ready.read_text())
        self.api_url: str = data["api_url"]
        self.control_url: str = data["control_url"]

    def call(self, operation: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.control_url}/{operation}",
            data=json.dumps(body or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    def prepared(self, operation: str, body: dict[str, Any]) -> list[Prepared]:
        return [
            Prepared(d["key"], d["body"].encode(), d["content_type"], d["headers"])
            for d in self.call(operation, body)
        ]

    def add_users(self, ids: list[str], tz: str = "Europe/Berlin") -> None:
        for i in range(0, len(ids), 5000):
            self.call("users", {"ids": ids[i : i + 5000], "tz": tz})

    def stop(self) -> None:
        self.proc.stop()
