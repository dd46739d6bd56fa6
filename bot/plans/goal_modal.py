"""The small modal behind the Home's "Add a goal" button."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, PlainTextInputElement, RadioButtonsElement
from slack_sdk.models.views import View

from bot.core.payload import metadata_of
from bot.core.text import OPTION_TEXT, around
from bot.domain.plan import MAX_TEXT

GOAL_CALLBACK = "goal_add"
ACTION = "value"


def build_goal_modal(pair_id: int, names: Mapping[str, str], default_owner: str) -> View:
    """Ask for one goal and whose it is; `names` maps "mentee"/"mentor" to people's names."""
    options = [
        Option(value=role, label=around("", names[role], "'s goal", OPTION_TEXT))
        for role in ("mentee", "mentor")
    ]
    initial = next((o for o in options if o.value == default_owner), options[0])
    return View(
        type="modal",
        callback_id=GOAL_CALLBACK,
        title="Add a goal",
        submit="Add",
        close="Cancel",
        private_metadata=json.dumps({"pair_id": pair_id}),
        blocks=[
            InputBlock(
                block_id="goal",
                label="Goal",
                element=PlainTextInputElement(
                    action_id=ACTION,
                    max_length=MAX_TEXT,
                    placeholder="Run a retrospective for the team",
                ),
            ),
            InputBlock(
                block_id="owner",
                label="Whose goal is it?",
                element=RadioButtonsElement(
                    action_id=ACTION, options=options, initial_option=initial
                ),
            ),
        ],
    )


def parse_goal_modal(view: Mapping[str, Any]) -> tuple[Any, str, str]:
    """(pair id as sent, goal text, owner role) from a submitted goal modal."""
    pair_id = metadata_of(view).get("pair_id")
    values = (view.get("state") or {}).get("values") or {}
    text = ((values.get("goal") or {}).get(ACTION) or {}).get("value") or ""
    option = ((values.get("owner") or {}).get(ACTION) or {}).get("selected_option") or {}
    owner = str(option.get("value"))
    return pair_id, str(text).strip(), owner if owner in ("mentee", "mentor") else "mentee"
