"""SlackStandIn: a stateful fake of Slack's Web API served over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar

from bot.standin import api_canvases, api_chat, api_conversations, api_files, api_views
from bot.standin.api_common import Handler
from bot.standin.file_shapes import FILES_PATH
from bot.standin.helpers import WorkspaceHelpers
from bot.standin.limits import SlackLimits
from bot.standin.models import ApiError
from bot.standin.response_urls import post_to_response_url
from bot.standin.state import Workspace
from bot.standin.transport import Reply, Request, decoded, make_server

HANDLERS: dict[str, Handler] = {
    **api_conversations.HANDLERS,
    **api_chat.HANDLERS,
    **api_views.HANDLERS,
    **api_files.HANDLERS,
    **api_canvases.HANDLERS,
}


TEXT = "text/plain; charset=utf-8"


@dataclass
class _Fault:
    kind: str
    error: str = ""
    retry_after: int = 1
    after_processing: bool = True
    # Only calls whose params this accepts (e.g. one channel, one text); None: any call.
    where: Callable[[dict[str, Any]], bool] | None = None


# Bot scopes a method needs (any one of them), from docs-slack-dev/methods/<method>.json.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "conversations.join": {"channels:join"},
    "conversations.info": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations.members": {"channels:read", "groups:read", "im:read", "mpim:read"},
    "conversations.open": {"channels:manage", "groups:write", "im:write", "mpim:write"},
    "team.info": {"team:read"},
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "files.info": {"files:read"},
    "canvases.create": {"canvases:write"},
    "canvases.edit": {"canvases:write"},
    "canvases.access.set": {"canvases:write"},
    "canvases.delete": {"canvases:write"},
    "canvases.sections.lookup": {"canvases:read"},
    "conversations.canvases.create": {"canvases:write"},
}
# The scopes a stand-in's bot token has unless told otherwise: what the bot asks for, plus what
# the file and canvas features will need (see METHOD_SCOPES); pass `scopes=` to take some away.
DEFAULT_SCOPES = [
    "commands",
    "chat:write",
    "im:history",
    "im:write",
    "users:read",
    "channels:join",
    "channels:read",
    "groups:read",
    "team:read",
    "files:write",
    "files:read",
    "canvases:write",
    "canvases:read",
]


class SlackStandIn(WorkspaceHelpers):
    """A local Slack: users, channels, DMs, messages, views, triggers, faults on demand."""

    METHODS: ClassVar[frozenset[str]] = frozenset(HANDLERS)

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        signing_secret: str = "secret",
        team_id: str = "T0000000001",
        team_domain: str = "acme",
        *,
        team_name: str = "Acme",
        bot_user_id: str = "U0BOT00001",
        bot_id: str = "B0BOT00001",
        app_id: str = "A0APP00001",
        bot_name: str = "mentorship",
        trigger_ttl: float = 3.0,
        now: Callable[[], datetime] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        scopes: Iterable[str] | None = None,
    ) -> None:
        self.bot_token, self.signing_secret = bot_token, signing_secret
        self.ws = Workspace(
            team_id=team_id,
            team_domain=team_domain,
            team_name=team_name,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            bot_name=bot_name,
            trigger_ttl=trigger_ttl,
            now=now,
        )
        self._host, self._port = host, port
        self.socket_mode: Any = None  # a SocketModeStandIn, when one is attached
        self.oauth_client: tuple[str, str] | None = None
        self.oauth_codes: dict[str, str] = {}
        # The bot token's scopes, sent back as X-OAuth-Scopes like Slack; change to test `doctor`.
        self.scopes: set[str] = set(DEFAULT_SCOPES if scopes is None else scopes)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._faults: dict[str, list[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self.server_errors: list[str] = []
        # Slack-like rate limits (429 with Retry-After from token buckets); None: unlimited.
        self.limits: SlackLimits | None = None

    # ---- lifecycle
    def start(self) -> SlackStandIn:
        """Bind 127.0.0.1 (a free port unless given) and serve in a daemon thread."""
        self._server = make_server(self._host, self._port, self._dispatch)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.ws.base_url = self.base_url
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        if self._server is None:
            raise RuntimeError("the stand-in is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...)."""
        return self.base_url + "/api/"

    # ---- request handling
    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        with self.ws.lock:
            queue = self._faults.get(method) or []
            for i, fault in enumerate(queue):
                if fault.where is None or fault.where(params):
                    return queue.pop(i)
            return None

    def _dispatch(self, request: Request) -> Reply:
        if request.path.startswith("/_response/"):
            try:
                body = json.loads(request.raw or b"null")
            except ValueError:
                body = None
            status, answer = post_to_response_url(self.ws, request.path[len("/_response/") :], body)
            return Reply(status, answer)
        if request.path.startswith(api_files.UPLOAD_PATH):
            ticket = request.path[len(api_files.UPLOAD_PATH) :]
            if request.method != "POST":
                return Reply(405, raw=b"Method Not Allowed", content_type=TEXT)
            status, text = api_files.receive_upload(
                self.ws, ticket, request.raw, request.content_type
            )
            return Reply(status, raw=text.encode(), content_type=TEXT)
        if request.path.startswith(FILES_PATH):
            status, data, kind = api_files.download(
                self.ws, request.path, request.token, self.bot_token
            )
            return Reply(status, raw=data, content_type=kind)
        if not request.path.startswith("/api/"):
            return Reply(404, {"ok": False, "error": "not_found"})
        method = request.path[len("/api/") :]
        with self.ws.lock:
            self.ws.calls.append((method, decoded(request.params)))
        if method == "apps.connections.open":  # Socket Mode: app-level token, not the bot's
            return self._connections_open(request)
        if method == "oauth.v2.access":  # authenticated by client id and secret, not a token
            return self._oauth_access(request)
        handler = HANDLERS.get(method)
        if handler is None:
            return Reply(body={"ok": False, "error": "unknown_method"})
        if not request.token:
            return Reply(body={"ok": False, "error": "not_authed"})
        if request.token != self.bot_token:
            return Reply(body={"ok": False, "error": "invalid_auth"})
        if request.bad_body:
            return Reply(body={"ok": False, "error": "invalid_json"})
        scope_headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
        needed = METHOD_SCOPES.get(method)
        if needed and not needed & self.scopes:
            body = {
                "ok": False,
                "error": "missing_scope",
                "needed": ",".join(sorted(needed)),
                "provided": ",".join(sorted(self.scopes)),
            }
            return Reply(body=body, headers=scope_headers)
        limits = self.limits
        if limits is not None:
            retry_after = limits.check(method, self._limit_channel(method, request.params))
            if retry_after:
                headers = {"Retry-After": str(retry_after)}
                return Reply(429, {"ok": False, "error": "ratelimited"}, headers)
        with self.ws.lock:
            delay = self._delays.get(method, 0.0)
        if delay > 0:
            time.sleep(delay)  # a slow Slack; the work is done even if the caller gave up
        fault = self._take_fault(method, request.params)
        if fault is not None and fault.kind == "ratelimit":
            headers = {"Retry-After": str(fault.retry_after)}
            return Reply(429, {"ok": False, "error": "ratelimited"}, headers)
        if fault is not None and fault.kind == "fail":
            return Reply(body={"ok": False, "error": fault.error})
        if fault is not None and not fault.after_processing:
            return Reply(drop=True)
        try:
            body = handler(self.ws, request.params)
        except ApiError as exc:
            body = exc.body()
        except Exception:
            self.server_errors.append(traceback.format_exc())
            body = {"ok": False, "error": "internal_error"}
        return Reply(drop=True) if fault is not None else Reply(body=body, headers=scope_headers)

    @staticmethod
    def _limit_channel(method: str, params: dict[str, Any]) -> str | None:
        """The conversation a chat.postMessage is limited by (a user id means the bot's DM)."""
        if method != "chat.postMessage":
            return None
        target = str(params.get("channel") or "")
        return "D" + target[1:] if target[:1] in ("U", "W") else target or None

    def _connections_open(self, request: Request) -> Reply:
        """apps.connections.open: a WebSocket URL for Socket Mode (see socket_mode.py)."""
        if self.socket_mode is None:
            return Reply(body={"ok": False, "error": "not_allowed_token_type"})
        if request.token != self.socket_mode.app_token:
            return Reply(body={"ok": False, "error": "invalid_auth"})
        return Reply(body={"ok": True, "url": self.socket_mode.url})

    def enable_oauth(self, client_id: str, client_secret: str) -> None:
        """Accept OAuth installs of an app with these credentials."""
        self.oauth_client = (client_id, client_secret)

    def issue_oauth_code(self, installer_id: str) -> str:
        """A one-time code, as Slack puts in the redirect after someone approves the install."""
        code = f"{self.team_id}.{len(self.oauth_codes) + 1}.{time.time_ns()}"
        self.oauth_codes[code] = installer_id
        return code

    def _oauth_access(self, request: Request) -> Reply:
        """oauth.v2.access: exchange a code for this workspace's bot token."""
        params = request.params
        if (
            self.oauth_client is None
            or (
                params.get("client_id"),
                params.get("client_secret"),
            )
            != self.oauth_client
        ):
            return Reply(body={"ok": False, "error": "invalid_client_id"})
        installer = self.oauth_codes.pop(str(params.get("code") or ""), None)
        if installer is None:
            return Reply(body={"ok": False, "error": "invalid_code"})
        return Reply(
            body={
                "ok": True,
                "app_id": self.ws.app_id,
                "authed_user": {"id": installer},
                "scope": ",".join(sorted(self.scopes)),
                "token_type": "bot",
                "access_token": self.bot_token,
                "bot_user_id": self.ws.bot_user_id,
                "team": {"id": self.ws.team_id, "name": self.ws.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        )

    # ---- fault injection
    def _queue(self, method: str, fault: _Fault, times: int) -> None:
        with self.ws.lock:
            self._faults.setdefault(method, []).extend(_Fault(**vars(fault)) for _ in range(times))

    def fail_next(
        self,
        method: str,
        error: str,
        times: int = 1,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with {"ok": false, "error": error}; with
        `where`, only calls whose params it accepts."""
        self._queue(method, _Fault("fail", error=error, where=where), times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next calls of `method` with HTTP 429, Retry-After and error ratelimited."""
        self._queue(method, _Fault("ratelimit", retry_after=retry_after), times)

    def drop_connection_next(
        self,
        method: str,
        times: int = 1,
        after_processing: bool = True,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Close the socket without answering (after doing the work, unless told otherwise);
        with `where`, only for a call whose params it accepts (other calls go through)."""
        fault = _Fault("drop", after_processing=after_processing, where=where)
        self._queue(method, fault, times)

    def delay(self, method: str, seconds: float) -> None:
        """Wait `seconds` (real time) before handling every call of `method`; 0 turns it off."""
        with self.ws.lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    # ---- triggers and response URLs (need the server address)
    def issue_trigger(self, user_id: str) -> str:
        """A trigger_id for this user: valid for trigger_ttl real seconds and one use."""
        return self.ws.issue_trigger(user_id)

    def new_response_url(self, user_id: str, channel_id: str, message_ts: str | None = None) -> str:
        """A response_url on the stand-in; posts to it reach `user_id` (or the channel)."""
        return (
            f"{self.base_url}/_response/{self.ws.new_response_url(user_id, channel_id, message_ts)}"
        )

    def dm_channel_id(self, user_id: str) -> str:
        """The id of the bot's DM with a user (created if needed)."""
        return self.ws.ensure_im(user_id).id
