"""What Slack sends over HTTP, checked before any listener sees it: the signature and its
timestamp, then a body that is one JSON object of sane shape, with the ids that name who acts
looking like Slack's ids. What passes is handed on as one canonical JSON object.

The router (bot/server.py) is the only gate: it verifies the signature itself, so Bolt never
meets an unsigned request (Bolt's own check logged the whole body, reflection text included, when
it failed), and Bolt parses exactly the object checked here (Bolt reads any form body that merely
contains the word "payload" as an empty request, e.g. `/mentorship start payload`).
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import parse_qsl

# Slack refuses to sign anything older: a timestamp further than this from now is stale.
SIGNATURE_WINDOW = 5 * 60
# Slack's payloads nest about a dozen levels (a view's state, a message's rich text).
MAX_DEPTH = 32
SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")  # T…, U…, W…, B…, C…, G…, D…, E…, A…, V…
SLACK_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,12}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")

# Interactivity payloads a person sends by acting: they always name the person.
INTERACTIONS = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
    }
)
# Where the ids that name the workspace, the person and the conversation are.
ID_PATHS: tuple[tuple[str, ...], ...] = (
    ("team_id",),
    ("user_id",),
    ("channel_id",),
    ("enterprise_id",),
    ("api_app_id",),
    ("team", "id"),
    ("user", "id"),
    ("user", "team_id"),
    ("channel", "id"),
    ("view", "id"),
    ("view", "team_id"),
    ("event", "user"),
    ("event", "user", "id"),
    ("event", "channel"),
    ("event", "team"),
    ("event", "message", "user"),
    ("event", "previous_message", "user"),
)
TS_PATHS: tuple[tuple[str, ...], ...] = (
    ("event", "ts"),
    ("event", "event_ts"),
    ("event", "thread_ts"),
    ("event", "deleted_ts"),
    ("event", "message", "ts"),
    ("event", "previous_message", "ts"),
    ("container", "message_ts"),
    ("message", "ts"),
)


class Refused(ValueError):
    """A request answered with a 4xx: `status` ("400 Bad Request") and a short reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def signature_problem(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why the request is not Slack's (for the log, never with the body), or None when it is."""
    if not timestamp or not TIMESTAMP.fullmatch(timestamp):
        return "no numeric X-Slack-Request-Timestamp"
    skew = abs(now - int(timestamp))
    if skew > SIGNATURE_WINDOW:
        return f"stale: signed {skew:.0f} s away from this server's clock (is it off?)"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    given = (signature or "").encode("utf-8", "replace")
    if not hmac.compare_digest(expected.encode(), given):
        return "signature does not match (a rotated signing secret?)"
    return None


def is_ssl_check(text: str) -> bool:
    """Slack's certificate check (`ssl_check=1`): answered 200, there is nothing in it."""
    if text.startswith("{") or "ssl_check=" not in text:
        return False
    fields = dict(parse_qsl(text, keep_blank_values=True))
    return fields.get("ssl_check") == "1" and "command" not in fields and "payload" not in fields


def canonical_body(text: str, content_type: str) -> dict[str, Any]:
    """The request as one JSON object, NUL characters removed; raises Refused otherwise.

    The same rules as Bolt's parser: JSON when the content type says so or the body starts
    with `{`, else a form whose `payload` field (interactivity) holds the JSON."""
    return _canonical(text, content_type)[0]


def bolt_body(text: str, content_type: str) -> bytes:
    """`canonical_body`'s object as the JSON Bolt is given; raises Refused as it does.

    When the request carried that object as JSON text and nothing was removed from it, that
    text is given as it is: Bolt parses it to the same object, and encoding the object again
    was a fifth of the gate's CPU for a plan submission. Text with a `\\u` escape of a
    surrogate is encoded again, which refuses a lone one (UTF-8 cannot carry it)."""
    data, source = _canonical(text, content_type)
    try:
        if source is not None and "\\ud" not in source and "\\uD" not in source:
            return source.encode()
        return json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise Refused("400 Bad Request", "the body holds text that is not Unicode") from None


def _canonical(text: str, content_type: str) -> tuple[dict[str, Any], str | None]:
    """`canonical_body`'s object, and the JSON text it was read from when it is unchanged (no
    NUL removed; None for a form of plain fields)."""
    source: str | None
    if content_type == "application/json" or text.startswith("{"):
        source = text
    else:
        fields = form_fields(text)
        source = fields.get("payload")
    if source is not None:
        data, nul = _json(source), "\\u0000" in source
    else:
        data, nul = fields, any("\x00" in k + v for k, v in fields.items())
    if not isinstance(data, dict):
        raise Refused("400 Bad Request", "the body is not a JSON object")
    if nul:  # JSON spells a NUL only as \u0000 (a raw control character is invalid JSON)
        data, source = _clean(data, 0), None
    else:  # nothing to remove: only the depth is checked, without copying
        _check_depth(data, 0)
    check_shape(data)
    return cast(dict[str, Any], data), source


def form_fields(text: str) -> dict[str, str]:
    """A form's fields as `parse_qsl` reads them (the last of a repeated name wins).

    Slack's interactivity form is one field, `payload`, holding 10–20 KB of JSON in which about
    every fifth character is %-escaped; `parse_qsl` unquotes that in a Python loop over the
    escapes (0.47 ms for a plan submission). Here the escapes are rewritten as `\\xNN` (every
    backslash doubled first) and decoded by the codec that reads those, in C (0.05 ms), with
    the same result; a `%` that is not followed by two hex digits takes `parse_qsl`'s path."""
    if text.startswith(_PAYLOAD) and "&" not in text:
        value = _unquote_plus(text[len(_PAYLOAD) :])
        if value is not None:
            return {"payload": value}
    return dict(parse_qsl(text, keep_blank_values=True))


_PAYLOAD = "payload="


def _unquote_plus(value: str) -> str | None:
    """`urllib.parse.unquote_plus(value)`, or None for a `%` without two hex digits after it
    or text that is not UTF-8 (a lone surrogate: a body read as UTF-8 holds none, but
    `parse_qsl` keeps one as it is)."""
    try:
        raw = value.replace("+", " ").encode()
        decoded = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:  # UnicodeEncodeError is one
        return None
    return decoded.decode("utf-8", "replace")


def _check_depth(value: Any, depth: int) -> None:
    """Refused beyond MAX_DEPTH levels, as `_clean` is (for a body it need not copy)."""
    if depth > MAX_DEPTH:
        raise Refused("400 Bad Request", "the body is nested too deeply")
    children = value.values() if type(value) is dict else value
    if children and depth + 1 > MAX_DEPTH:
        raise Refused("400 Bad Request", "the body is nested too deeply")
    for child in children:  # `json.loads` makes exactly these types (a type test is 3× faster)
        kind = type(child)
        if kind is dict or kind is list:
            _check_depth(child, depth + 1)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise Refused("400 Bad Request", "the body is nested too deeply") from None
    except ValueError:
        raise Refused("400 Bad Request", "the body is not JSON") from None


def _clean(value: Any, depth: int) -> Any:
    """A copy without NUL characters (PostgreSQL cannot store them and nobody types one);
    Refused beyond MAX_DEPTH levels."""
    if depth > MAX_DEPTH:
        raise Refused("400 Bad Request", "the body is nested too deeply")
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def check_shape(data: Mapping[str, Any]) -> None:
    """Raise Refused unless the parts listeners read have the types Slack gives them."""
    kind = data.get("type")
    for key in ("user", "view", "event", "container", "message"):
        if data.get(key) is not None and not isinstance(data[key], Mapping):
            raise Refused("400 Bad Request", f"{key} is not an object")
    user = data.get("user")
    if kind in INTERACTIONS and not (isinstance(user, Mapping) and user.get("id")):
        raise Refused("400 Bad Request", "an interaction without the user who acted")
    for key in ("actions", "authorizations"):
        items = data.get(key) or []
        if not isinstance(items, list) or not all(isinstance(a, Mapping) for a in items):
            raise Refused("400 Bad Request", f"{key} is not a list of objects")
    if "command" in data and not (data.get("user_id") and data.get("team_id")):
        raise Refused("400 Bad Request", "a command without its user or workspace")
    if kind == "event_callback" and not isinstance(data.get("event"), Mapping):
        raise Refused("400 Bad Request", "an event callback without its event")
    for path in ID_PATHS:
        value = _at(data, path)
        if isinstance(value, Mapping) or value in (None, ""):
            continue
        if not isinstance(value, str) or not SLACK_ID.fullmatch(value):
            raise Refused("400 Bad Request", f"{'.'.join(path)} is not a Slack id")
    for path in TS_PATHS:
        value = _at(data, path)
        if value not in (None, "") and not (isinstance(value, str) and SLACK_TS.fullmatch(value)):
            raise Refused("400 Bad Request", f"{'.'.join(path)} is not a Slack timestamp")


def _at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
