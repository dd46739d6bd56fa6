"""Helpers for the install-page tests: the real app in OAuth mode, Slack's authorize page as a
stand-in that approves or cancels, and plain HTTP without following redirects."""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.app import Runtime, build_runtime
from bot.core.clock import ManualClock
from bot.core.config import parse_config
from bot.standin import SlackStandIn
from tests.kit.workspace import MAYA, OMAR, SECRET, TEAM

CLIENT_ID, CLIENT_SECRET = "3333.4444", "pages-client-secret"
STATE_COOKIE = "slack-app-oauth-state"
# Every http(s) URL in an href or src attribute.
EXTERNAL = re.compile(r"""(?:href|src|srcset|action)\s*=\s*["']?\s*(https?://[^"'\s>]+)""", re.I)


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), [""])[0]


def get(url: str, cookie: str | None = None, method: str = "GET") -> Reply:
    """One request, redirects not followed, the state cookie sent when given."""
    request = urllib.request.Request(url, method=method)
    if cookie is not None:
        request.add_header("Cookie", f"{STATE_COOKIE}={cookie}")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as r:
            return _reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx and 5xx answers
        return _reply(exc.code, exc.headers, exc.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _reply(status: int, headers: Any, body: bytes) -> Reply:
    collected: dict[str, list[str]] = {}
    for name, value in headers.items():
        collected.setdefault(name.lower(), []).append(value)
    return Reply(status, collected, body.decode())


def add_to_slack_href(page: str) -> str:
    """The link behind the page's "Add to Slack" button."""
    found = re.search(r'<a class="button" href="([^"]+)">Add to Slack</a>', page)
    assert found, page
    return unescape(found.group(1))


def state_cookie(reply: Reply) -> str:
    """The OAuth state Bolt set in its cookie."""
    for value in reply.headers.get("set-cookie", []):
        name, _, rest = value.partition("=")
        if name == STATE_COOKIE:
            return rest.split(";", 1)[0]
    raise AssertionError(f"no state cookie in {reply.headers}")


@dataclass
class AuthorizeStandIn:
    """Slack's authorize page, reduced to its answer: the person approves or presses Cancel.

    Like Slack, it sends the browser back to the app's redirect URL with a one-time code (or
    `error=access_denied`) and the state it was given.
    """

    standin: SlackStandIn
    redirect_url: str = ""
    answer: str = "approve"
    installer: str = OMAR
    seen: list[dict[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                stub.seen.append(query)
                back = {"state": query.get("state", [""])[0]}
                if stub.answer == "approve":
                    back["code"] = stub.standin.issue_oauth_code(stub.installer)
                else:
                    back["error"] = "access_denied"
                self.send_response(302)
                self.send_header("Location", f"{stub.redirect_url}?{urlencode(back)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/oauth/v2/authorize"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class OAuthBot:
    runtime: Runtime
    standin: SlackStandIn
    authorize: AuthorizeStandIn
    base: str


@contextmanager
def oauth_bot(
    db_url: str, clock: ManualClock, *, slack_authorize: bool = False
) -> Iterator[OAuthBot]:
    """The real app in OAuth mode on a free port, one stand-in workspace behind it.

    "Add to Slack" points at the authorize stand-in, or at Slack's real authorize URL when
    `slack_authorize` (for the browser, which never follows it).
    """
    standin = SlackStandIn(bot_token="xoxb-pages", signing_secret=SECRET, team_id=TEAM)
    standin.add_user(OMAR, "omar", real_name="Omar", tz="Europe/Berlin")
    standin.add_user(MAYA, "maya", real_name="Maya", tz="America/New_York")
    standin.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    standin.start()
    authorize = AuthorizeStandIn(standin)
    slack: dict[str, object] = {"api_url": standin.api_url}
    if not slack_authorize:
        slack["authorize_url"] = authorize.url
    env = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    }
    config = parse_config({"slack": slack, "database": {"url": db_url}}, env)
    runtime = build_runtime(config, clock=clock, check=False)
    server = runtime.server(host="127.0.0.1", port=0)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    authorize.redirect_url = f"{base}/slack/oauth_redirect"
    try:
        yield OAuthBot(runtime, standin, authorize, base)
    finally:
        server.stop()
        authorize.stop()
        standin.stop()
        runtime.engine.dispose()
