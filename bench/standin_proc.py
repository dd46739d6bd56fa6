"""The Slack stand-in in a process of its own, with a small control API for the benchmarks.

    python -m bench.standin_proc --ready-file PATH

serves the Web API on one port and a JSON control API on another (both on 127.0.0.1), writes
{"api_url": ..., "control_url": ...} to PATH, and runs until SIGTERM. The control API prepares
Slack requests with the real SlackDriver (trigger ids, views, events recorded in this
stand-in's state) without sending them: the load generator signs and sends them itself, so the
stand-in's own work stays out of the timed path. It also records when views.open and
chat.postMessage calls arrive, on CLOCK_MONOTONIC, which all processes of the machine share.
"""

from __future__ import annotations

import argparse
import gc
import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import SECRET, TEAM, TOKEN
from bot.standin import DriverResponse, SlackDriver, SlackStandIn
from bot.standin.driver_base import FORM
from bot.standin.limits import SlackLimits
from bot.standin.transport import Reply, Request

TIMED = ("views.open", "chat.postMessage", "views.update")
KEY_FIELD = {"views.open": "trigger_id", "chat.postMessage": "channel", "views.update": "view_id"}


class TimedStandIn(SlackStandIn):
    """Notes the arrival time of views.open (by trigger id), chat.postMessage (by channel) and
    views.update (by view id)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[str, list[tuple[str, float, int]]] = {m: [] for m in TIMED}
        self.first: dict[tuple[str, str], float] = {}  # (method, key) -> first arrival
        self.statuses: Counter[str] = Counter()
        self._arrival_lock = threading.Lock()
        self._arrived = threading.Condition(self._arrival_lock)

    def _dispatch(self, request: Request) -> Reply:
        arrived = time.monotonic()
        reply = super()._dispatch(request)
        method = request.path[len("/api/") :] if request.path.startswith("/api/") else ""
        if method:
            with self._arrival_lock:
                self.statuses[f"{method} {reply.status}"] += 1
                if method in TIMED:
                    key = str(request.params.get(KEY_FIELD[method]) or "")
                    self.arrivals[method].append((key, arrived, reply.status))
                    self.first.setdefault((method, key), arrived)
                    self._arrived.notify_all()
        return reply

    def wait_for(self, method: str, key: str, timeout: float) -> float | None:
        """When the first `method` call for `key` arrived, waiting up to `timeout` for it."""
        with self._arrived:
            self._arrived.wait_for(lambda: (method, key) in self.first, timeout=timeout)
            return self.first.get((method, key))


class CapturingDriver(SlackDriver):
    """Builds each request exactly as SlackDriver does, but keeps it instead of sending it."""

    def __init__(self, standin: SlackStandIn) -> None:
        super().__init__(standin, bot_url="http://unused.invalid/", signing_secret=SECRET)
        self.captured: list[dict[str, Any]] = []

    def post(self, body: bytes, content_type: str = FORM, **kwargs: Any) -> DriverResponse:
        headers = dict(kwargs.get("headers") or {})
        self.captured.append(
            {"body": body.decode(), "content_type": content_type, "headers": headers}
        )
        return DriverResponse(200, "", None)

    def take(self) -> dict[str, Any]:
        return self.captured.pop()


class Control:
    """The control API's operations, each taking and returning JSON."""

    def __init__(self, standin: TimedStandIn) -> None:
        self.standin = standin
        self.driver = CapturingDriver(standin)
        self.lock = threading.Lock()

    def users(self, body: dict[str, Any]) -> Any:
        tz = body.get("tz", "Europe/Berlin")
        for user_id in body["ids"]:
            self.standin.add_user(user_id, user_id.lower(), real_name=f"Person {user_id}", tz=tz)
        return {"users": len(self.standin.ws.users)}

    def commands(self, body: dict[str, Any]) -> Any:
        out = []
        with self.lock:
            for user_id in body["users"]:
                self.driver.slash_command(user_id, body.get("text", "start"))
                request = self.driver.take()
                fields = dict(kv.split("=", 1) for kv in request["body"].split("&") if "=" in kv)
                out.append({**request, "key": fields["trigger_id"]})
        return out

    def submissions(self, body: dict[str, Any]) -> Any:
        out = []
        with self.lock:
            for item in body["items"]:
                user_id = item["user"]
                views = self.standin.views_for(user_id)
                if not views:
                    raise ValueError(f"no open modal for {user_id}")
                self.driver.submit_view(user_id, views[-1].id, item.get("values") or {})
                out.append({**self.driver.take(), "key": user_id})
        return out

    def dms(self, body: dict[str, Any]) -> Any:
        out = []
        with self.lock:
            for item in body["items"]:
                self.driver.user_dm(item["user"], item["text"])
                channel = self.standin.dm_channel_id(item["user"])
                out.append({**self.driver.take(), "key": channel})
        return out

    def arrivals(self, body: dict[str, Any]) -> Any:
        with self.standin._arrival_lock:
            found = list(self.standin.arrivals[body["method"]])
            if body.get("clear"):
                self.standin.arrivals[body["method"]].clear()
        return found

    def wait(self, body: dict[str, Any]) -> Any:
        """Block until the call a request caused has reached the stand-in (or the timeout)."""
        found = self.standin.wait_for(body["method"], body["key"], float(body.get("timeout", 30)))
        return {"at": found}

    def counts(self, body: dict[str, Any]) -> Any:
        with self.standin._arrival_lock:
            return {method: len(self.standin.arrivals[method]) for method in TIMED} | {
                "statuses": dict(self.standin.statuses)
            }

    def limits(self, body: dict[str, Any]) -> Any:
        config = body.get("config")
        self.standin.limits = None if config is None else SlackLimits(**config)
        return {"limits": config}

    def limit_stats(self, body: dict[str, Any]) -> Any:
        limits = self.standin.limits
        if limits is None:
            return {}
        return {"allowed": dict(limits.allowed), "limited": dict(limits.limited)}

    def posted(self, body: dict[str, Any]) -> Any:
        """Delivery ids (from message metadata) of the bot's messages, in posting order."""
        ws = self.standin.ws
        with ws.lock:
            ids = [
                ((m.metadata or {}).get("event_payload") or {}).get("delivery_id")
                for m in ws.messages
                if m.user == ws.bot_user_id and m.metadata
            ]
        return {"ids": ids}

    def forget(self, body: dict[str, Any]) -> Any:
        """Drop recorded messages, calls and the transcript (keeps people, views and DMs)."""
        ws = self.standin.ws
        with ws.lock:
            ws.messages.clear()
            ws.calls.clear()
            ws.transcript.clear()
        with self.standin._arrival_lock:
            for found in self.standin.arrivals.values():
                found.clear()
            self.standin.first.clear()
            self.standin.statuses.clear()
        return {"ok": True}

    def ping(self, body: dict[str, Any]) -> Any:
        return {"ok": True}

    def views(self, body: dict[str, Any]) -> Any:
        """A user's open modals, oldest first: id, callback id, and whether `contains` (a piece
        of text) is in its blocks."""
        contains = str(body.get("contains") or "")
        return [
            {
                "id": v.id,
                "callback_id": v.callback_id,
                "has": bool(contains) and contains in json.dumps(v.blocks, ensure_ascii=False),
            }
            for v in self.standin.views_for(body["user"])
        ]


# Control operations that build the stand-in's state before a timed run (people, trigger ids,
# views, DMs), or clear it after one.
PREPARING = frozenset({"users", "commands", "submissions", "dms", "forget"})


def settle_heap() -> None:
    """Collect the stand-in's cyclic garbage and move what is left out of the collector's
    sight (`gc.freeze`), between timed runs, when the stand-in has just been told what to
    prepare. During the runs the cyclic collector is off (`main`): the stand-in's state only
    grows during a benchmark (every view, message and call is kept), and a full collection
    walks all of it while holding the GIL. In a run of 2,000 `/mentorship start` at c4 the
    stand-in paused 16, 38, 61, 92, 129 and 250 ms; every request in flight at that moment
    waited it out, and the same pause came at the same point of every run (the same requests
    allocate the same objects), so one app's p99 at one concurrency took it each time. With
    the state frozen between runs it still paused up to 85 ms within one run of 2,000 (the
    views that run made)."""
    gc.collect()
    gc.freeze()


def serve_control(control: Control) -> ThreadingHTTPServer:
    operations: dict[str, Callable[[dict[str, Any]], Any]] = {
        name: getattr(control, name)
        for name in (
            "users",
            "commands",
            "submissions",
            "dms",
            "arrivals",
            "wait",
            "counts",
            "limits",
            "limit_stats",
            "posted",
            "forget",
            "ping",
            "views",
        )
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            operation = operations.get(self.path.strip("/"))
            try:
                if operation is None:
                    raise KeyError(self.path)
                status, answer = 200, operation(body)
                if self.path.strip("/") in PREPARING:
                    settle_heap()
            except Exception as exc:
                status, answer = 500, {"error": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args()
    # Trigger ids are prepared before the timed run starts, so they must outlive Slack's 3 s.
    gc.disable()  # Slack does not pause for our stand-in's garbage: see `settle_heap`
    standin = TimedStandIn(bot_token=TOKEN, signing_secret=SECRET, team_id=TEAM, trigger_ttl=3600.0)
    standin.start()
    control = serve_control(Control(standin))
    host, port = control.server_address[:2]
    ready = {"api_url": standin.api_url, "control_url": f"http://{host!s}:{port}"}
    args.ready_file.write_text(json.dumps(ready))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    control.shutdown()
    standin.stop()


if __name__ == "__main__":
    main()
