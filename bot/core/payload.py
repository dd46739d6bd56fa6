"""Reading what Slack sends: a view's private_metadata, ids in button values, @mentions."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any


def metadata_of(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view's private_metadata as a dict; {} when missing, not JSON or not an object
    (a submitted view comes from Slack's client, so anything in it is checked again)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def parse_id(raw: Any) -> int | None:
    """A positive integer id from a button value or metadata, else None."""
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


# The one pattern for a user mention in command text: <@U123> or <@U123|name>.
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentions(text: str) -> list[str]:
    """The user ids @mentioned in command text, in order."""
    return MENTION.findall(text)
