"""The enrolment form and the program picker before it: builders, parser, shared ids."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.core.text import OPTION_TEXT, OPTION_VALUE, SECTION_TEXT, clip, mrkdwn
from bot.domain.enrolment import ROLES, EnrolmentForm
from bot.domain.plan import MAX_TEXT

PICK_CALLBACK = "program_pick"
ENROL_CALLBACK = "program_enrol"
ACTION = "value"
FROM_HOME = "home"  # private_metadata "from": opened on the Home tab, which then shows the change
MAX_OPTIONS = 100  # a select holds at most 100 options
LABELS = {
    "program": "Program",
    "role": "I'd like to take part as",
    "skills": "Skills or topics",
    "goals": "Your goals (mentees) or what you can help with (mentors)",
    "capacity": "How many mentees you can take (mentors)",
    "avoid": "Please don't match me with",
}


@dataclass(frozen=True)
class ProgramChoice:
    """An open program, as the picker lists it."""

    program_id: int
    name: str


def picker_view(programs: Sequence[ProgramChoice], *, from_home: bool = False) -> View:
    """Several programs are open: which one to join, first."""
    options = [
        Option(value=str(p.program_id), label=clip(p.name, OPTION_TEXT))
        for p in programs[:MAX_OPTIONS]
    ]
    return View(
        type="modal",
        callback_id=PICK_CALLBACK,
        title="Join a program",
        submit="Next",
        close="Cancel",
        private_metadata=json.dumps({"from": FROM_HOME} if from_home else {}),
        blocks=[
            InputBlock(
                block_id="program",
                label=LABELS["program"],
                element=StaticSelectElement(action_id=ACTION, options=options),
            )
        ],
    )


def picked_program(values: Mapping[str, Any]) -> str | None:
    """The program id chosen in the picker."""
    block = values.get("program") or {}
    option = (
        (block.get(ACTION) or {}).get("selected_option") if isinstance(block, Mapping) else None
    )
    return option.get("value") if isinstance(option, Mapping) else None


def enrolment_view(
    *,
    program_id: int,
    program: str,
    description: str,
    skills: Sequence[str],
    allow_either: bool,
    form: EnrolmentForm | None = None,
    from_home: bool = False,
) -> View:
    """The enrolment form for one program, prefilled with the person's own answers if any."""
    f = form or EnrolmentForm()
    roles = [Option(value=k, label=v) for k, v in ROLES.items() if k != "either" or allow_either]
    role = next((o for o in roles if o.value == f.role), None)
    skill_options = [
        Option(value=clip(s, OPTION_VALUE), label=clip(s, OPTION_TEXT)) for s in skills
    ]
    chosen = [o for o in skill_options if o.value in f.skills] or None
    about = f"*{mrkdwn(program)}*"
    if description:
        about += "\n" + mrkdwn(description)
    blocks: list[Block] = [
        SectionBlock(block_id="about", text=MarkdownTextObject(text=clip(about, SECTION_TEXT))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only the program's leads see your answers. Your name and time zone "
                    "come from Slack."
                )
            ]
        ),
        InputBlock(
            block_id="role",
            label=LABELS["role"],
            element=RadioButtonsElement(action_id=ACTION, options=roles, initial_option=role),
        ),
        InputBlock(
            block_id="skills",
            label=LABELS["skills"],
            hint="Mentors: what you can help with. Mentees: what you want to grow.",
            element=StaticMultiSelectElement(
                action_id=ACTION,
                placeholder="Pick from the program's list",
                options=skill_options[:MAX_OPTIONS],
                initial_options=chosen,
            ),
        ),
        InputBlock(
            block_id="goals",
            label=LABELS["goals"],
            optional=True,
            hint="One per line. A mentee's goals become the goals of their mentorship plan.",
            element=PlainTextInputElement(
                action_id=ACTION,
                multiline=True,
                max_length=MAX_TEXT,
                initial_value=f.goals or None,
                placeholder="Run Kubernetes in production\nGive a talk at a meetup",
            ),
        ),
        InputBlock(
            block_id="capacity",
            label=LABELS["capacity"],
            optional=True,
            hint="1 to 5. Mentees can leave this as it is.",
            element=NumberInputElement(
                action_id=ACTION, is_decimal_allowed=False, initial_value=f.capacity or "1"
            ),
        ),
        InputBlock(
            block_id="avoid",
            label=LABELS["avoid"],
            optional=True,
            hint="Private: used only for matching. Nobody is told — not the people you pick, "
            "not the program's leads.",
            element=UserMultiSelectElement(action_id=ACTION, initial_users=list(f.avoid) or None),
        ),
    ]
    return View(
        type="modal",
        callback_id=ENROL_CALLBACK,
        title="Join a program" if form is None else "Your enrolment",
        submit="Enrol" if form is None else "Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps(
            {"program": program_id, **({"from": FROM_HOME} if from_home else {})}
        ),
    )


def _value(state: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = state.get(block_id) or {}
    value = block.get(ACTION) if isinstance(block, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def parse_enrolment_state(values: Mapping[str, Any]) -> EnrolmentForm:
    """`view.state.values` as an EnrolmentForm."""
    role = _value(values, "role").get("selected_option")
    skills = _value(values, "skills").get("selected_options") or []
    avoid = _value(values, "avoid").get("selected_users") or []
    capacity = _value(values, "capacity").get("value")
    return EnrolmentForm(
        role=role.get("value") if isinstance(role, Mapping) else None,
        skills=tuple(o["value"] for o in skills if isinstance(o, Mapping) and "value" in o),
        goals=_value(values, "goals").get("value"),
        capacity=str(capacity) if capacity is not None else None,
        avoid=tuple(u for u in avoid if isinstance(u, str)),
    )
