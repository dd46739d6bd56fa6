"""Several stand-in workspaces behind one Web API URL, for multi-workspace (OAuth) tests.

Requests go to the workspace whose bot token they carry; `oauth.v2.access` goes to the
workspace that issued the code.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.standin.server import SlackStandIn


class TeamRouter:
    """Forwards each Web API call to the right SlackStandIn."""

    def __init__(self, standins: list[SlackStandIn]) -> None:
        self.standins = standins
        router = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # a kept-alive connection's reply is not held back

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = router.pick(self.path, dict(self.headers), body)
                request = urllib.request.Request(
                    target.base_url.rstrip("/") + self.path, data=body or None, method=self.command
                )
                for name in ("Content-Type", "Authorization"):
                    if self.headers.get(name):
                        request.add_header(name, self.headers[name])
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, headers, data = response.status, response.headers, response.read()
                except urllib.error.HTTPError as exc:
                    status, headers, data = exc.code, exc.headers, exc.read()
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in ("transfer-encoding", "connection", "date", "server"):
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _forward
            do_POST = _forward

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        """The one Web API base URL the bot is configured with."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def pick(self, path: str, headers: dict[str, str], body: bytes) -> SlackStandIn:
        """The stand-in a request belongs to (by token, or by OAuth code)."""
        params: dict[str, Any] = dict(parse_qsl(urlsplit(path).query))
        text = body.decode("utf-8", "replace")
        if text.startswith("{"):
            params.update(json.loads(text))
        elif text:
            params.update(parse_qsl(text))
        token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        token = token or str(params.get("token") or "")
        for standin in self.standins:
            if token and token == standin.bot_token:
                return standin
            if str(params.get("code") or "") in standin.oauth_codes:
                return standin
        return self.standins[0]

    def start(self) -> TeamRouter:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
