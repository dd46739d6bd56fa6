"""The reflection form: the same questions as the DM conversation, for people who prefer a form."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.payload import metadata_of
from bot.core.text import clip
from bot.domain.reflection import MAX_ANSWER, Question

CALLBACK_ID = "reflection_form_submit"
ACTION = "value"
RATINGS = [Option(value=str(n), label=f"{n}") for n in range(1, 6)]


# A question names a goal (up to 1,000 characters): its label shows the start of it, so that five
# labels and five full answers stay within a view's 250 KB however the text is written.
LABEL_SHOWN = 300


def _plain(text: str) -> str:
    """Labels are plain text: drop mrkdwn emphasis and keep a long goal short."""
    return clip(" ".join(text.replace("*", "").split()), LABEL_SHOWN)


def build_reflection_modal(
    prompt_id: int, title_label: str, questions: Sequence[Question], answers: Mapping[str, str]
) -> View:
    """A modal with one optional input per question, prefilled with earlier answers."""
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{title_label}. Leave anything blank to skip it. "
                    "Only you see your answers unless you share them."
                )
            ]
        )
    ]
    for q in questions:
        element: Any
        if q.kind == "rating":
            initial = answers.get(q.key)
            element = StaticSelectElement(
                action_id=ACTION,
                options=RATINGS,
                initial_option=next((o for o in RATINGS if o.value == initial), None),
            )
        else:
            element = PlainTextInputElement(
                action_id=ACTION,
                multiline=True,
                max_length=MAX_ANSWER,
                # An earlier answer is at most MAX_ANSWER long when stored; older rows may not be.
                initial_value=clip(answers.get(q.key) or "", MAX_ANSWER) or None,
            )
        blocks.append(
            InputBlock(block_id=q.key, label=_plain(q.text), optional=True, element=element)
        )
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Reflection",
        submit="Save",
        close="Cancel",
        blocks=blocks[:100],
        private_metadata=json.dumps({"prompt_id": prompt_id}),
    )


def parse_reflection_form(view: Mapping[str, Any]) -> tuple[int | None, dict[str, str]]:
    """(prompt id, {question key: answer}) from a submitted form; blanks are left out."""
    try:
        prompt_id = int(metadata_of(view)["prompt_id"])
    except (KeyError, TypeError, ValueError):
        prompt_id = None
    values = (view.get("state") or {}).get("values") or {}
    answers: dict[str, str] = {}
    for key, block in values.items():
        value = (block or {}).get(ACTION) or {}
        option = value.get("selected_option")
        raw = option.get("value") if isinstance(option, Mapping) else value.get("value")
        if isinstance(raw, str) and raw.strip():
            answers[key] = raw.strip()[:MAX_ANSWER]
    return prompt_id, answers


def first_input(view: Mapping[str, Any]) -> str | None:
    """The block id of a submitted view's first input (where a form-wide error can show)."""
    for block in view.get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None
