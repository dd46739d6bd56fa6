"""HTTP serving: a WSGI router (Slack traffic and health) on waitress, a threaded server."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from waitress.server import create_server

from bot.core.inbound import Refused, bolt_body, is_ssl_check, signature_problem
from bot.core.services import Services
from bot.documents.feed import FEED_PREFIX, feed_calendar
from bot.domain.calendar import CONTENT_TYPE
from storage.db import schema_state

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack payloads are far smaller; refuse anything bigger
StartResponse = Callable[..., Any]
HealthExtra = Callable[[], dict[str, Any]]


def make_wsgi(
    app: App, services: Services, health_extra: HealthExtra | None = None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A WSGI app: POST /slack/events to Bolt, GET /healthz, a person's calendar subscription
    (GET /calendar/<token>.ics), the OAuth pages (and / sends people to the install page), 404
    elsewhere."""
    bolt = SlackRequestHandler(app, path=SLACK_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _health(services, health_extra, start_response)
        if path.startswith(FEED_PREFIX) and method in ("GET", "HEAD"):
            return _calendar(services, path, start_response)
        flow = app.oauth_flow
        if flow is not None and path == "/" and method in ("GET", "HEAD"):
            start_response("302 Found", [("Location", flow.install_path), ("Content-Length", "0")])
            return [b""]
        if (
            flow is not None
            and method == "GET"
            and path in (flow.install_path, flow.redirect_uri_path)
        ):
            oauth_page: Iterable[bytes] = bolt(environ, start_response)
            return oauth_page
        if path == SLACK_PATH:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "use POST"})
            with services.answering.request():  # work nobody waits on waits for this
                return _slack(bolt, services, environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def _slack(
    bolt: SlackRequestHandler,
    services: Services,
    environ: dict[str, Any],
    start_response: StartResponse,
) -> Iterable[bytes]:
    """A POST to /slack/events: refused by the gate, or Bolt's answer."""
    answer = _admit(environ, services.config.slack.signing_secret)
    if answer is not None:
        return _json(start_response, *answer)
    try:
        result: Iterable[bytes] = bolt(environ, start_response)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        # A signed object of the wrong shape deeper down than bot/core/inbound.py
        # looks, met while Bolt reads its ids (before any listener or middleware).
        log.warning("refused a signed request Bolt could not read (%s)", type(exc).__name__)
        return _json(start_response, "400 Bad Request", {"error": "malformed body"})
    return result


def _admit(environ: dict[str, Any], secret: str) -> tuple[str, dict[str, Any]] | None:
    """None when the request goes on to Bolt (as one canonical JSON object), else the answer
    to give instead: 401 unless signed within the last five minutes, 400 for a body that is not
    one sane JSON object (see bot/core/inbound.py). Nothing of the body is logged."""
    try:
        return _canonicalize(environ, secret)
    except Refused as refused:
        return refused.status, {"error": refused.reason}


def _canonicalize(environ: dict[str, Any], secret: str) -> tuple[str, dict[str, Any]] | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused("400 Bad Request", "bad Content-Length") from None
    if length > MAX_BODY:
        raise Refused("413 Content Too Large", "body too large")
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and is_ssl_check(text):
        return "200 OK", {}
    problem = signature_problem(
        secret,
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
        environ.get("HTTP_X_SLACK_SIGNATURE"),
        body,
        time.time(),
    )
    if problem is not None:
        log.warning("refused a request to %s: %s", SLACK_PATH, problem)
        raise Refused("401 Unauthorized", "invalid request")
    if text is None:
        raise Refused("400 Bad Request", "body is not UTF-8")
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    try:
        canonical = bolt_body(text, content_type)
    except Refused as refused:
        log.warning("refused a signed request to %s: %s", SLACK_PATH, refused.reason)
        raise
    environ["wsgi.input"] = io.BytesIO(canonical)
    environ["CONTENT_LENGTH"] = str(len(canonical))
    environ["CONTENT_TYPE"] = "application/json"
    return None


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _calendar(services: Services, path: str, start_response: StartResponse) -> list[bytes]:
    """A calendar subscription: the person's meetings, or 404 for an unknown or revoked link."""
    body = feed_calendar(services, path)
    if body is None:
        return _json(start_response, "404 Not Found", {"error": "not found"})
    headers = [
        ("Content-Type", CONTENT_TYPE),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "private, no-cache"),
        ("Content-Disposition", 'inline; filename="mentorship.ics"'),
    ]
    start_response("200 OK", headers)
    return [body]


def _health(
    services: Services, extra: HealthExtra | None, start_response: StartResponse
) -> list[bytes]:
    body: dict[str, Any] = {"status": "ok"}
    try:
        with services.sessions() as session:
            session.execute(text("SELECT 1"))
        body["database"] = "ok"
        state = schema_state(services.sessions.kw["bind"])
        body["schema"] = state.revision
        if not state.usable:
            body.update(status="error", schema_error=state.message())
        elif state.note:  # newer and additive (a rolling upgrade): this instance stays in
            body["schema_note"] = state.note
    except Exception as exc:  # health must answer, whatever the database says
        body.update(status="error", database=f"error: {type(exc).__name__}")
    if extra is not None:
        body.update(extra())
    status = "200 OK" if body["status"] == "ok" else "503 Service Unavailable"
    return _json(start_response, status, body)


class QueueDepth:
    """Stands in for waitress's "waitress.queue" logger, which logs a WARNING for every request
    that arrives while all threads are busy: under a real overload, a line per request, each a
    log record made on the thread that accepts connections. Here each costs a counter; one line
    says how many waited and how deep the queue got, when waiting starts and then at most every
    `every` seconds while it goes on."""

    def __init__(
        self,
        threads: int,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threads, self._every, self._clock = threads, every, clock
        self._lock = threading.Lock()
        self._waited = 0
        self._deepest = 0
        self._since: float | None = None  # when the line was last logged

    def warning(self, message: str, depth: int, *args: Any) -> None:
        """What waitress calls (`"Task queue depth is %d", depth`) for each request queued."""
        now = self._clock()
        with self._lock:
            self._waited += 1
            self._deepest = max(self._deepest, depth)
            if self._since is not None and now - self._since < self._every:
                return
            waited, deepest, since = self._waited, self._deepest, self._since
            self._waited, self._deepest, self._since = 0, 0, now
        window = "" if since is None else f" in the last {now - since:.0f} s"
        log.warning(
            "all %d server threads busy: %d %s waited for one%s, at most %d at once; "
            "if this goes on, add serve processes behind the load balancer",
            self._threads,
            waited,
            "request" if waited == 1 else "requests",
            window,
            deepest,
        )


class BotServer:
    """waitress serving the WSGI app; `run()` in the foreground or `start()` in a thread.
    Requests that wait for a thread are counted, not logged one by one (`QueueDepth`)."""

    def __init__(
        self, wsgi: Callable[..., Iterable[bytes]], host: str, port: int, threads: int = 8
    ) -> None:
        self._server = create_server(
            wsgi,
            host=host,
            port=port,
            threads=threads,
            backlog=1024,
            connection_limit=1000,
            channel_timeout=30,
            ident="mentorship-bot",
        )
        dispatcher: Any = self._server.task_dispatcher
        dispatcher.queue_logger = QueueDepth(threads)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def host(self) -> str:
        return str(self._server.effective_host)  # type: ignore[union-attr]

    def run(self) -> None:
        """Serve until SystemExit/KeyboardInterrupt (raised by the SIGTERM handler)."""
        log.info("listening on http://%s:%s", self.host, self.port)
        self._server.run()

    def start(self) -> None:
        """Serve in a daemon thread (tests, demo)."""
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, finish in-flight requests, and close."""
        from waitress import wasyncore

        server: Any = self._server
        server.task_dispatcher.shutdown(timeout=5)
        if self._thread is not None and self._thread.is_alive():
            # Close from inside the loop thread so its poll() wakes at once.
            # (OSError: its trigger is closed already, the loop is ending by itself.)
            with contextlib.suppress(OSError):
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            self._thread.join(timeout=5)
        if self._thread is None or not self._thread.is_alive():
            wasyncore.close_all(server._map)
