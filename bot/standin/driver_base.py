"""SlackDriver: sends signed slash commands, interactions and events to the bot, as Slack does."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.standin.models import JSON, ApiError, RecordedMessage
from bot.standin.payloads import DriverError
from bot.standin.server import SlackStandIn

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class DriverResponse:
    """What the bot answered: status, raw body, parsed JSON (if any), headers."""

    status: int
    body: str
    json: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    event_id: str | None = None
    sent: bool = True


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature of a body at a timestamp."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class DriverBase:
    """Signing and HTTP for the driver; the Slack-shaped requests live in SlackDriver."""

    def __init__(
        self,
        standin: SlackStandIn,
        bot_url: str,
        signing_secret: str | None = None,
        *,
        verification_token: str = "legacy-verification-token",
        timeout: float = 10.0,
    ) -> None:
        self.standin = standin
        self.ws = standin.ws
        self.bot_url = bot_url
        self.signing_secret = (
            signing_secret if signing_secret is not None else standin.signing_secret
        )
        self.verification_token = verification_token
        self.timeout = timeout
        # The last request as sent (body, content type, timestamp), for `replay_last`.
        self.last_request: tuple[bytes, str, str] | None = None

    def post(
        self,
        body: bytes,
        content_type: str = FORM,
        *,
        headers: Mapping[str, str] | None = None,
        signature_override: str | None = None,
        timestamp_override: str | int | None = None,
    ) -> DriverResponse:
        """POST a raw body to the bot, signed unless a forged signature/timestamp is given."""
        timestamp = str(timestamp_override if timestamp_override is not None else int(time.time()))
        signature = signature_override or sign(self.signing_secret, timestamp, body)
        self.last_request = (body, content_type, timestamp)
        request = urllib.request.Request(self.bot_url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", timestamp)
        request.add_header("X-Slack-Signature", signature)
        request.add_header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, raw, got = exc.code, exc.read(), dict(exc.headers)
        text = raw.decode("utf-8", "replace")
        parsed: dict[str, Any] | None = None
        if text.strip().startswith("{"):
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return DriverResponse(status, text, parsed, got)

    def replay_last(self) -> DriverResponse:
        """Send the last request again byte for byte, same timestamp and signature: what a
        double submission, a retrying proxy or a replaying attacker within 5 minutes sends."""
        self.require(self.last_request is not None, "nothing was sent yet")
        assert self.last_request is not None
        body, content_type, timestamp = self.last_request
        return self.post(body, content_type, timestamp_override=timestamp)

    def post_form(self, fields: Mapping[str, str], **kwargs: Any) -> DriverResponse:
        """POST form-encoded fields, signed."""
        return self.post(urlencode(fields).encode(), FORM, **kwargs)

    def post_payload(self, payload: JSON, **kwargs: Any) -> DriverResponse:
        """POST an interactivity payload as Slack does: payload=<urlencoded JSON>."""
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def post_json(self, body: JSON, **kwargs: Any) -> DriverResponse:
        """POST a JSON body (Events API), signed."""
        return self.post(json.dumps(body).encode(), "application/json", **kwargs)

    # ---- shared bits of payloads
    def name(self, user_id: str) -> str:
        """A person's display name for the transcript."""
        return self.ws.display(user_id)

    def user_ref(self, user_id: str) -> JSON:
        """The `user` object of interactivity payloads."""
        handle = self.ws.name_of(user_id)
        return {"id": user_id, "username": handle, "name": handle, "team_id": self.ws.team_id}

    def team_ref(self) -> JSON:
        """The `team` object of interactivity payloads."""
        return {"id": self.ws.team_id, "domain": self.ws.team_domain}

    def resolve(self, ref: str) -> str:
        """A user/conversation id from an id, @handle, real name or #channel name."""
        with self.ws.lock:
            wanted = ref.strip().lstrip("@").lower()
            for user in self.ws.users.values():
                if user.id == ref or wanted in (user.name.lower(), user.real_name.lower()):
                    return user.id
            if ref.startswith("#") or ref[:1] in ("C", "G", "D"):
                try:
                    return self.ws.channel(ref).id
                except ApiError:
                    pass
        return ref

    def record_ack(self, user_id: str, channel_id: str, response: DriverResponse) -> None:
        """Record text the bot put in its HTTP answer (ack("...")) as what the user saw."""
        if response.status != 200 or not response.body.strip():
            return
        data = response.json if response.json is not None else {"text": response.body}
        if not data.get("text") and not data.get("blocks"):
            return
        in_channel = data.get("response_type") == "in_channel"
        message = RecordedMessage(
            channel=channel_id,
            user=self.ws.bot_user_id,
            text=str(data.get("text") or ""),
            blocks=list(data.get("blocks") or []),
            ts=self.ws.next_ts(),
            ephemeral_to=None if in_channel else user_id,
            bot_id=self.ws.bot_id,
            source="ack",
        )
        self.ws.record_message(message)

    def require(self, condition: bool, message: str) -> None:
        """Raise DriverError(message) unless condition holds."""
        if not condition:
            raise DriverError(message)
