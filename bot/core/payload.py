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


# Interactions a person starts themselves (as opposed to Slack telling the app something).
PERSON_INTERACTIONS = frozenset({"block_actions", "view_submission", "shortcut", "message_action"})


def acting_person(body: Mapping[str, Any]) -> str | None:
    """The user whose own action sent this request: a slash command, a click, a form, a
    shortcut, opening the app's Home, a DM to the bot. None for what Slack reports about
    someone (a profile change, an uninstall) and for messages from bots."""
    if body.get("command"):
        return str(body.get("user_id") or "") or None
    if body.get("type") in PERSON_INTERACTIONS:
        user = body.get("user")
        return str(user.get("id") or "") or None if isinstance(user, Mapping) else None
    event = body.get("event")
    if not isinstance(event, Mapping) or not isinstance(event.get("user"), str):
        return None
    if event.get("type") == "app_home_opened":
        return str(event["user"])
    person_dm = event.get("channel_type") == "im" and not event.get("subtype")
    if event.get("type") == "message" and person_dm and not event.get("bot_id"):
        return str(event["user"])
    return None
