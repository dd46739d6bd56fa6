"""HTTP plumbing of the stand-in: parse Web API requests the way Slack accepts them."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

JSON_KEYS = ("blocks", "view", "attachments", "metadata")
RAW_PATHS = ("/upload/",)  # bodies that are file bytes, not arguments


@dataclass
class Request:
    """A parsed request: path, params (query + body), token, and whether the body was bad."""

    method: str
    path: str
    params: dict[str, Any]
    token: str | None
    raw: bytes
    bad_body: bool = False
    content_type: str = ""


@dataclass
class Reply:
    """What to answer: status, JSON body (or raw bytes), extra headers; `drop` closes without
    answering."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    raw: bytes | None = None  # answered as is (with content_type) instead of the JSON body
    content_type: str = "application/json; charset=utf-8"


def _first_values(query: str) -> dict[str, Any]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def parse_request(handler: BaseHTTPRequestHandler) -> Request:
    """Read one request: query string, then a form or JSON body; the token from header or param."""
    split = urlsplit(handler.path)
    params = _first_values(split.query)
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    bad_body = False
    if raw and not split.path.startswith(RAW_PATHS):
        if content_type == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                body, bad_body = {}, True
            if isinstance(body, dict):
                params.update(body)
            else:
                bad_body = True
        else:
            params.update(_first_values(raw.decode("utf-8", "replace")))
    token = params.pop("token", None)
    auth = handler.headers.get("Authorization") or ""
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    elif auth.lower().startswith("basic "):  # oauth.v2.access: client credentials
        with contextlib.suppress(ValueError):
            client_id, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
            params.setdefault("client_id", client_id)
            params.setdefault("client_secret", secret)
    full_type = handler.headers.get("Content-Type") or ""
    return Request(handler.command, split.path, params, token, raw, bad_body, full_type)


def decoded(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of params with JSON-string nested values (blocks, view, ...) decoded, for assertions."""
    result = dict(params)
    for key in JSON_KEYS:
        value = result.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                result[key] = json.loads(value)
    return result


def make_server(host: str, port: int, dispatch: Callable[[Request], Reply]) -> ThreadingHTTPServer:
    """A threading HTTP server that hands every request to `dispatch`."""

    class Handler(BaseHTTPRequestHandler):
        """Hands each GET/POST to `dispatch` and writes its JSON reply."""

        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # a kept-alive connection's reply is not held back

        def _serve(self) -> None:
            reply = dispatch(parse_request(self))
            if reply.drop:
                self.close_connection = True
                return
            data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: tests read the stand-in's state, not its access log."""

    class Server(ThreadingHTTPServer):
        """One thread per connection, with a listen backlog fit for load tests."""

        request_queue_size = 1024  # the default listen backlog of 5 drops bursts of clients
        daemon_threads = True

    return Server((host, port), Handler)
