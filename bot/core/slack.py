"""Web API clients: slack_sdk's retry handlers where a repeat is harmless, never where it is not;
each thread's calls on one connection kept alive."""

from __future__ import annotations

import http.client
import io
import os
import select
import threading
import time
import urllib.request
from typing import Any, BinaryIO, Protocol
from urllib.error import HTTPError, URLError

from slack_sdk import WebClient
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryState,
)

# A retried call to these can post twice (or burn a single-use trigger_id after its 3 s).
NOT_REPEATABLE = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "views.open",
        "views.push",
        "files.uploadV2",
        "files.completeUploadExternal",
    }
)


# Not waited out on a 429: people lookups answer a person within Slack's 3 seconds, or run in
# the dispatcher, which puts the row back for Retry-After itself; older cached facts serve.
NOT_WAITED = frozenset({"users.info"})


def _method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


class SafeConnectionRetry(ConnectionErrorRetryHandler):
    """Retry a broken connection only for calls that are safe to repeat."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) in NOT_REPEATABLE:
            return False
        return bool(
            super()._can_retry(state=state, request=request, response=response, error=error)
        )


class SafeRateLimitRetry(RateLimitErrorRetryHandler):
    """Wait out a 429 and retry, except for calls that must not repeat or cannot wait."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) in NOT_REPEATABLE | NOT_WAITED:
            return False
        return bool(
            super()._can_retry(state=state, request=request, response=response, error=error)
        )


# A connection idle longer than this is not used again: servers close idle connections (Apache
# and Node.js after 5 s by default), and a request written into one the server is closing may
# have been read or not. Well inside that, a closed connection shows as readable before use.
KEEP_IDLE = 4.0


class _Kept:
    """A thread's open connection to one host, and when its last answer was read."""

    __slots__ = ("conn", "used")

    def __init__(self, conn: http.client.HTTPConnection) -> None:
        self.conn, self.used = conn, time.monotonic()


def _closed_by_server(conn: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read: the server closed it (or broke the protocol)."""
    sock = conn.sock
    if sock is None:
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


class KeptAliveClient(WebClient):
    """slack_sdk's WebClient whose calls reuse the calling thread's connection to Slack.

    slack_sdk sends every call through `urllib.request.urlopen`, on a new connection (on https a
    new TLS handshake) each time. Here each thread keeps one HTTP/1.1 connection per host open
    between calls, and everything else is slack_sdk's: the request it builds, its retry
    handlers, its errors. The answer and the failures are the ones urlopen gives, so callers
    and retry handlers see no difference: an answer outside 2xx raises `HTTPError` (its
    headers and body readable), a failure while connecting or sending raises `URLError`, a
    failure while reading the answer raises as it is.

    A connection is used again only when the last answer on it was read whole, it has been
    idle under `KEEP_IDLE`, nothing waits to be read on it and the process is the one that
    opened it (not a forked child). A request that cannot be sent on
    a kept connection (the server reset it) is sent once on a new one: an unsent request was
    not read. A proxy (`proxy=`) goes through slack_sdk's own urllib path.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept = threading.local()

    def _perform_urllib_http_request_internal(
        self, url: str, req: urllib.request.Request
    ) -> dict[str, Any]:
        if self.proxy is not None or req.type not in ("http", "https"):
            return dict(super()._perform_urllib_http_request_internal(url, req))
        conns: dict[tuple[str, str], _Kept] | None = getattr(self._kept, "conns", None)
        if conns is None or self._kept.pid != os.getpid():  # a forked child shares no socket
            conns = self._kept.conns = {}
            self._kept.pid = os.getpid()
        where = (req.type, req.host)
        kept = conns.pop(where, None)
        if kept is not None and (
            time.monotonic() - kept.used > KEEP_IDLE or _closed_by_server(kept.conn)
        ):
            kept.conn.close()
            kept = None
        conn = kept.conn if kept is not None else self._connect(req)
        try:
            try:
                conn.request("POST", req.selector, body=req.data, headers=req.headers)
            except OSError:
                conn.close()
                if kept is None:
                    raise
                conn = self._connect(req)  # the kept one was reset: nothing was read
                conn.request("POST", req.selector, body=req.data, headers=req.headers)
        except OSError as exc:  # as urlopen: nothing was sent, or not all of it
            conn.close()
            raise URLError(exc) from exc
        try:
            response = conn.getresponse()
            body = response.read()
        except BaseException:
            conn.close()
            raise
        if not response.will_close:
            conns[where] = _Kept(conn)
        if not 200 <= response.status < 300:
            raise HTTPError(
                url, response.status, response.reason, response.headers, io.BytesIO(body)
            )
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {
            "status": response.status,
            "headers": response.headers,
            "body": body.decode(charset),
        }

    def _connect(self, req: urllib.request.Request) -> http.client.HTTPConnection:
        if req.type == "https":
            return http.client.HTTPSConnection(req.host, timeout=self.timeout, context=self.ssl)
        return http.client.HTTPConnection(req.host, timeout=self.timeout)


def make_client(token: str | None, base_url: str, *, retries: bool = True) -> WebClient:
    """A client for the configured Web API base URL (connections kept alive per thread);
    `retries=False` for the outbox sender."""
    handlers: list[Any] = (
        [SafeConnectionRetry(max_retry_count=2), SafeRateLimitRetry(max_retry_count=2)]
        if retries
        else []
    )
    return KeptAliveClient(token=token, base_url=base_url, timeout=10, retry_handlers=handlers)


class TokenSource(Protocol):
    """Where a workspace's bot token comes from."""

    def bot_token(self, team_id: str) -> str | None: ...


class SingleToken:
    """One workspace: the token from SLACK_BOT_TOKEN."""

    def __init__(self, token: str) -> None:
        self.token = token

    def bot_token(self, team_id: str) -> str | None:
        """The same token for every team."""
        return self.token


class InstalledTokens:
    """Many workspaces: tokens from slack_sdk's installation store (OAuth installs)."""

    def __init__(self, installation_store: Any) -> None:
        self.store = installation_store

    def bot_token(self, team_id: str) -> str | None:
        """The bot token of the workspace's current installation, if any."""
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        return None if bot is None else str(bot.bot_token)


class ClientPool:
    """One client per token, created on first use."""

    def __init__(self, tokens: TokenSource, base_url: str, *, retries: bool = True) -> None:
        self.tokens, self.base_url, self.retries = tokens, base_url, retries
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str) -> WebClient:
        """The client holding `team_id`'s bot token (a tokenless client if not installed)."""
        return self.for_token(self.tokens.bot_token(team_id))

    def for_token(self, token: str | None) -> WebClient:
        """The client holding this token (a tokenless one for None)."""
        token = token or ""
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = make_client(token or None, self.base_url, retries=self.retries)
                self._clients[token] = client
            return client


def open_dm(client: WebClient, user_id: str) -> str:
    """The `D…` id of the bot's DM with a person (conversations.open, scope im:write)."""
    return str(client.conversations_open(users=[user_id])["channel"]["id"])


def upload_to_dm(
    client: WebClient,
    user_id: str,
    *,
    filename: str,
    content: bytes | str,
    title: str,
    comment: str,
    channel: str | None = None,
) -> str | None:
    """Put a file in the bot's DM with a person, with a message about it; the file's id.

    slack_sdk's `files_upload_v2` does Slack's three steps (files.getUploadURLExternal, the
    upload, files.completeUploadExternal). It needs the DM's `D…` id, which `conversations.open`
    gives (a user id is refused as a channel there); pass `channel` when it is known."""
    channel = channel or open_dm(client, user_id)
    response = client.files_upload_v2(
        channel=channel,
        filename=filename,
        content=content,
        title=title,
        initial_comment=comment,
    )
    file = response.get("file") or {}
    return str(file.get("id")) if file.get("id") else None


def stream_to_dm(
    client: WebClient,
    user_id: str,
    *,
    filename: str,
    file: BinaryIO,
    length: int,
    title: str,
    comment: str,
) -> str:
    """`upload_to_dm` for a file too large to hold in memory (`length` bytes, read from where
    `file` stands): Slack's same three steps, the middle one streamed from the file. slack_sdk's
    `files_upload_v2` reads the whole file into memory first; the first and last steps are still
    its calls. The file's id. An upload Slack's file server refuses raises `urllib.error.URLError`
    (an `HTTPError` with its status) and shares nothing."""
    channel = open_dm(client, user_id)
    ticket = client.files_getUploadURLExternal(filename=filename, length=length)
    request = urllib.request.Request(
        str(ticket["upload_url"]),
        data=file,  # sent in blocks as it is read
        method="POST",
        headers={"Content-Length": str(length), "Content-Type": "application/octet-stream"},
    )
    with urllib.request.urlopen(request, timeout=client.timeout, context=client.ssl) as answer:
        answer.read()
    file_id = str(ticket["file_id"])
    client.files_completeUploadExternal(
        files=[{"id": file_id, "title": title}], channel_id=channel, initial_comment=comment
    )
    return file_id
