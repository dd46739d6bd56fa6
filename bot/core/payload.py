"""A view's `private_metadata`, which the bot always writes as a JSON object."""

from __future__ import annotations

import json
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
