"""The program form (new and edit): its Block Kit builder, its parser, and the ids they share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.core.text import INPUT_MAX
from bot.domain.plan import CADENCES, CHECKPOINT_WEEKS, DURATIONS, MAX_TEXT
from bot.domain.program import MAX_NAME, MAX_QUESTION, MAX_QUESTIONS, ProgramForm

PROGRAM_CALLBACK = "program_submit"
ACTION = "value"  # every input uses the same action_id; the block_id names the field
EITHER_OPTION = "either"
LABELS = {
    "name": "Program name",
    "description": "Description",
    "cadence": "Meeting cadence",
    "starts_on": "First meetings from",
    "duration": "Length",
    "end_date": "End date (instead of a length)",
    "checkpoint_weeks": "Feedback checkpoint every",
    "questions": "Checkpoint questions (one per line)",
    "announce_channel": "Announcement channel",
    "enrol_closes_on": "Enrolment closes",
    "skills": "Skills or topics people pick from",
    "either": "Roles",
    "co_leads": "Co-leads",
}


def _options(choices: Mapping[str, str]) -> list[Option]:
    return [Option(value=value, label=label) for value, label in choices.items()]


def _initial(choices: Mapping[str, str], value: str | None) -> Option | None:
    if value is None or value not in choices:
        return None
    return Option(value=value, label=choices[value])


def _text(
    block_id: str,
    initial: str | None,
    *,
    max_length: int,
    multiline: bool = False,
    optional: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=LABELS[block_id],
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ACTION,
            multiline=multiline,
            max_length=max_length,
            initial_value=initial or None,
            placeholder=placeholder,
        ),
    )


def _date(block_id: str, value: date | None, *, optional: bool, hint: str | None = None) -> Block:
    return InputBlock(
        block_id=block_id,
        label=LABELS[block_id],
        optional=optional,
        hint=hint,
        element=DatePickerElement(
            action_id=ACTION, initial_date=value.isoformat() if value else None
        ),
    )


def program_modal(
    form: ProgramForm | None = None, *, program_id: int | None = None, title: str = "New program"
) -> View:
    """The form a lead fills in to create a program (or edit one, prefilled)."""
    f = form or ProgramForm()
    either = Option(
        value=EITHER_OPTION, label="People may also enrol as “either” (mentor or mentee)"
    )
    duration = str(f.duration_months) if f.duration_months else (None if f.end_date else "6")
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="People enrol with `/mentorship join`; you match them with "
                    "`/mentorship program match`. Each match starts as a mentorship with these "
                    "defaults. Only the program's leads see who enrolled."
                )
            ]
        ),
        _text("name", f.name, max_length=MAX_NAME, placeholder="2027 Engineering mentorship"),
        _text("description", f.description, max_length=MAX_TEXT, multiline=True, optional=True),
        HeaderBlock(text="Each mentorship"),
        InputBlock(
            block_id="cadence",
            label=LABELS["cadence"],
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(CADENCES),
                initial_option=_initial(CADENCES, f.cadence or "biweekly"),
            ),
        ),
        _date("starts_on", f.starts_on, optional=False),
        InputBlock(
            block_id="duration",
            label=LABELS["duration"],
            optional=True,
            hint="Or pick an end date below; an end date wins.",
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(DURATIONS),
                initial_option=_initial(DURATIONS, duration),
            ),
        ),
        _date("end_date", f.end_date, optional=True),
        InputBlock(
            block_id="checkpoint_weeks",
            label=LABELS["checkpoint_weeks"],
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(CHECKPOINT_WEEKS),
                initial_option=_initial(
                    CHECKPOINT_WEEKS, str(f.checkpoint_weeks) if f.checkpoint_weeks else "4"
                ),
            ),
        ),
        _text(
            "questions",
            f.questions,
            max_length=MAX_QUESTIONS * (MAX_QUESTION + 1),
            multiline=True,
            optional=True,
            hint="Up to 5. At each checkpoint they replace the standard questions; the questions "
            "about each person's own goals stay.",
        ),
        InputBlock(
            block_id="announce_channel",
            label=LABELS["announce_channel"],
            optional=True,
            hint="Kickoffs, checkpoints and completions are posted there — never reflections.",
            element=ConversationSelectElement(
                action_id=ACTION,
                initial_conversation=f.announce_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        HeaderBlock(text="Enrolment"),
        _date(
            "enrol_closes_on",
            f.enrol_closes_on,
            optional=True,
            hint="Leave it empty to keep enrolment open until you close it.",
        ),
        _text(
            "skills",
            f.skills,
            max_length=INPUT_MAX,
            multiline=True,
            placeholder="Kubernetes / k8s\nPublic speaking\nGo (golang)",
            hint="One per line or comma-separated, up to 50. Mentors pick what they can help "
            "with, mentees what they want to grow.",
        ),
        InputBlock(
            block_id="either",
            label=LABELS["either"],
            optional=True,
            element=CheckboxesElement(
                action_id=ACTION,
                options=[either],
                initial_options=[either] if f.allow_either else None,
            ),
        ),
        InputBlock(
            block_id="co_leads",
            label=LABELS["co_leads"],
            optional=True,
            hint="They can edit, close, match and publish this program, like you.",
            element=UserMultiSelectElement(
                action_id=ACTION, initial_users=list(f.co_leads) or None
            ),
        ),
    ]
    metadata = {"program": program_id} if program_id else {}
    return View(
        type="modal",
        callback_id=PROGRAM_CALLBACK,
        title=title,
        submit="Save" if program_id else "Create",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps(metadata),
    )


def _value(state: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = state.get(block_id) or {}
    value = block.get(ACTION) if isinstance(block, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _selected(state: Mapping[str, Any], block_id: str) -> str | None:
    option = _value(state, block_id).get("selected_option")
    return option.get("value") if isinstance(option, Mapping) else None


def _date_of(state: Mapping[str, Any], block_id: str) -> date | None:
    raw = _value(state, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def parse_program_state(values: Mapping[str, Any]) -> ProgramForm:
    """`view.state.values` as a ProgramForm; anything malformed becomes None."""
    either = _value(values, "either").get("selected_options") or []
    leads = _value(values, "co_leads").get("selected_users") or []
    return ProgramForm(
        name=_value(values, "name").get("value"),
        description=_value(values, "description").get("value"),
        cadence=_selected(values, "cadence"),
        starts_on=_date_of(values, "starts_on"),
        duration_months=_int(_selected(values, "duration")),
        end_date=_date_of(values, "end_date"),
        enrol_closes_on=_date_of(values, "enrol_closes_on"),
        checkpoint_weeks=_int(_selected(values, "checkpoint_weeks")),
        skills=_value(values, "skills").get("value"),
        questions=_value(values, "questions").get("value"),
        announce_channel=_value(values, "announce_channel").get("selected_conversation"),
        allow_either=any(
            isinstance(o, Mapping) and o.get("value") == EITHER_OPTION for o in either
        ),
        co_leads=tuple(u for u in leads if isinstance(u, str)),
    )


def field_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """Validation errors keyed by the modal's block ids (all of them name a block)."""
    return {key if key in LABELS else "name": message for key, message in errors.items()}
