"""The plan modal: its Block Kit builder and the ids its listeners share (the parser is form.py)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
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
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.plan import (
    CADENCES,
    CHANNELS,
    CHECKPOINT_WEEKS,
    DEFAULT_MEETING_MINUTES,
    DURATIONS,
    FORMATS,
    MAX_GOALS_TEXT,
    MAX_TEXT,
    MEETING_LENGTHS,
    PlanForm,
)

CALLBACK_ID = "plan_submit"
ACTION = "value"  # every input uses the same action_id; the block_id names the field

# block_id -> label. Labels say plainly what each field is (people and tools read them).
LABELS = {
    "mentor": "Mentor",
    "mentee": "Mentee",
    "mentee_goals": "Mentee's goals (one per line)",
    "mentor_goals": "Mentor's goals (one per line)",
    "vision": "Shared vision",
    "cadence": "Meeting cadence",
    "first_date": "First meeting date",
    "meeting_time": "Meeting time",
    "meeting_minutes": "Meeting length",
    "tz": "Time zone",
    "format": "Meeting format",
    "channels": "Communication channels",
    "duration": "Duration",
    "end_date": "End date (instead of a duration)",
    "checkpoint_weeks": "Feedback checkpoint every",
    "announce_channel": "Announcement channel",
    "announce": "Announce milestones",
}
ANNOUNCE_OPTION = "yes"


def _options(choices: Mapping[str, str]) -> list[Option]:
    return [Option(value=value, label=label) for value, label in choices.items()]


def _initial(choices: Mapping[str, str], value: str | None) -> Option | None:
    if value is None or value not in choices:
        return None
    return Option(value=value, label=choices[value])


# What each free-text field accepts: a person's goals, one per line, share Slack's largest input.
MAX_LENGTHS = {"mentee_goals": MAX_GOALS_TEXT, "mentor_goals": MAX_GOALS_TEXT, "vision": MAX_TEXT}
HINTS = {
    "mentee_goals": f"Up to 10 goals, each under {MAX_TEXT:,} characters.",
    "mentor_goals": f"Up to 10 goals, each under {MAX_TEXT:,} characters.",
}


def fitted_prefill(text: str, limit: int) -> tuple[str, int]:
    """A prefill that the input accepts: whole lines while they fit (a first line longer than
    the input is cut), and how many lines were left out. The bot stores nothing that needs
    this (tests/plans/test_goal_room.py); it keeps older data from making the form unopenable."""
    if len(text) <= limit:
        return text, 0
    lines = text.split("\n")
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > limit:
            break
        kept.append(line)
    if not kept:
        return lines[0][:limit], len(lines) - 1
    return "\n".join(kept), len(lines) - len(kept)


def _text_input(block_id: str, *, initial: str | None, placeholder: str, optional: bool) -> Block:
    limit = MAX_LENGTHS[block_id]
    prefill, left_out = fitted_prefill(initial or "", limit)
    hint = HINTS.get(block_id)
    if left_out:
        hint = (
            f"{left_out} more line{'s' if left_out != 1 else ''} did not fit in this field: "
            "saving the form keeps only what you see here."
        )
    return InputBlock(
        block_id=block_id,
        label=LABELS[block_id],
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ACTION,
            multiline=True,
            max_length=limit,
            initial_value=prefill or None,
            placeholder=placeholder,
        ),
    )


TZ_MAX = 64  # the longest IANA zone name is 32 characters; the plan's column holds 64
TZ_HINT = "An IANA zone such as Europe/Berlin. Each of you sees times in your own zone."
TZ_HINT_NEW = (
    "An IANA zone such as Europe/Berlin; leave it empty to use your Slack time zone. "
    "Each of you sees times in your own zone."
)


def build_plan_modal(
    *,
    mentor_id: str | None = None,
    mentee_id: str | None = None,
    tz: str | None = None,
    form: PlanForm | None = None,
    private_metadata: Mapping[str, Any] | None = None,
    callback_id: str = CALLBACK_ID,
    title: str = "Start a mentorship",
    submit: str = "Start",
    tz_from_profile: bool = True,
) -> View:
    """The modal that captures a mentorship plan on its three pillars (also used to edit one).

    With `tz_from_profile` (a new plan) the time zone may be left empty: the submission then
    takes the creator's Slack time zone. An edit keeps the field required.
    """
    f = form or PlanForm(mentor_id=mentor_id, mentee_id=mentee_id, tz=tz)
    channel_options = _options(CHANNELS)
    initial_channels = [o for o in channel_options if o.value in f.channels] or None
    announce_option = Option(
        value=ANNOUNCE_OPTION,
        label="Post kickoff, checkpoints and completion there (never reflections)",
    )
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="A plan rests on three pillars: *goals &amp; vision*, "
                    "*structure &amp; communication*, and *milestones &amp; reflection*. "
                    "Both of you get a summary by DM."
                )
            ]
        ),
        InputBlock(
            block_id="mentor",
            label=LABELS["mentor"],
            element=UserSelectElement(action_id=ACTION, initial_user=f.mentor_id),
        ),
        InputBlock(
            block_id="mentee",
            label=LABELS["mentee"],
            element=UserSelectElement(action_id=ACTION, initial_user=f.mentee_id),
        ),
        HeaderBlock(text="Goals & Vision"),
        _text_input(
            "mentee_goals",
            initial=f.mentee_goals,
            placeholder="Lead a design review\nLearn Rust async programming",
            optional=False,
        ),
        _text_input(
            "mentor_goals",
            initial=f.mentor_goals,
            placeholder="Practise giving feedback",
            optional=True,
        ),
        _text_input(
            "vision",
            initial=f.vision,
            placeholder="What should every meeting serve?",
            optional=False,
        ),
        HeaderBlock(text="Structure & Communication"),
        InputBlock(
            block_id="cadence",
            label=LABELS["cadence"],
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(CADENCES),
                initial_option=_initial(CADENCES, f.cadence or "biweekly"),
            ),
        ),
        InputBlock(
            block_id="first_date",
            label=LABELS["first_date"],
            element=DatePickerElement(
                action_id=ACTION,
                initial_date=f.first_date.isoformat() if f.first_date else None,
            ),
        ),
        InputBlock(
            block_id="meeting_time",
            label=LABELS["meeting_time"],
            element=TimePickerElement(
                action_id=ACTION,
                initial_time=f.meeting_time.strftime("%H:%M") if f.meeting_time else "15:00",
            ),
        ),
        InputBlock(
            block_id="meeting_minutes",
            label=LABELS["meeting_minutes"],
            hint="Calendar files block this much time for each meeting.",
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(MEETING_LENGTHS),
                initial_option=_initial(
                    MEETING_LENGTHS, str(f.meeting_minutes or DEFAULT_MEETING_MINUTES)
                ),
            ),
        ),
        InputBlock(
            block_id="tz",
            label=LABELS["tz"],
            optional=tz_from_profile,
            hint=TZ_HINT_NEW if tz_from_profile else TZ_HINT,
            element=PlainTextInputElement(
                action_id=ACTION, initial_value=(f.tz or "")[:TZ_MAX] or None, max_length=TZ_MAX
            ),
        ),
        InputBlock(
            block_id="format",
            label=LABELS["format"],
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(FORMATS),
                initial_option=_initial(FORMATS, f.format or "online"),
            ),
        ),
        InputBlock(
            block_id="channels",
            label=LABELS["channels"],
            element=CheckboxesElement(
                action_id=ACTION, options=channel_options, initial_options=initial_channels
            ),
        ),
        HeaderBlock(text="Milestones & Reflection"),
        InputBlock(
            block_id="duration",
            label=LABELS["duration"],
            optional=True,
            hint="Or pick an end date below; an end date wins.",
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(DURATIONS),
                initial_option=_initial(
                    DURATIONS,
                    str(f.duration_months) if f.duration_months else (None if f.end_date else "6"),
                ),
            ),
        ),
        InputBlock(
            block_id="end_date",
            label=LABELS["end_date"],
            optional=True,
            element=DatePickerElement(
                action_id=ACTION, initial_date=f.end_date.isoformat() if f.end_date else None
            ),
        ),
        InputBlock(
            block_id="checkpoint_weeks",
            label=LABELS["checkpoint_weeks"],
            hint="Both of you get a short reflection prompt by DM at each checkpoint.",
            element=StaticSelectElement(
                action_id=ACTION,
                options=_options(CHECKPOINT_WEEKS),
                initial_option=_initial(
                    CHECKPOINT_WEEKS, str(f.checkpoint_weeks) if f.checkpoint_weeks else "4"
                ),
            ),
        ),
        InputBlock(
            block_id="announce_channel",
            label=LABELS["announce_channel"],
            optional=True,
            element=ConversationSelectElement(
                action_id=ACTION,
                initial_conversation=f.announce_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id="announce",
            label=LABELS["announce"],
            optional=True,
            element=CheckboxesElement(
                action_id=ACTION,
                options=[announce_option],
                initial_options=[announce_option] if f.announce else None,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps(dict(private_metadata or {})),
    )


@functools.cache
def _start_template() -> dict[str, Any]:
    """The new-plan modal with nothing prefilled, serialised (and validated) once."""
    return build_plan_modal().to_dict()


def _prefilled(block: dict[str, Any], key: str, value: str | None) -> dict[str, Any]:
    element = {k: v for k, v in block["element"].items() if k != key}
    if value:
        element[key] = value
    return {**block, "element": element}


def start_modal_view(
    *,
    mentor_id: str | None,
    mentee_id: str | None,
    tz: str | None,
    private_metadata: Mapping[str, Any],
) -> dict[str, Any]:
    """`build_plan_modal(...).to_dict()` for a new plan, made from a template serialised once.

    `/mentorship start` must open its modal within Slack's 3 seconds, and serialising the
    Block Kit objects is most of what the command costs: only the three prefilled inputs are
    copied and changed here. The result shares the template's unchanged parts: read it, send
    it, never change it. tests/plans/test_plan_validation.py checks that both give the same view.
    """
    template = _start_template()
    prefill = {
        "mentor": ("initial_user", mentor_id),
        "mentee": ("initial_user", mentee_id),
        "tz": ("initial_value", tz),
    }
    blocks = [
        _prefilled(block, *prefill[block["block_id"]])
        if block.get("block_id") in prefill
        else block
        for block in template["blocks"]
    ]
    return {
        **template,
        "blocks": blocks,
        "private_metadata": json.dumps(dict(private_metadata)),
    }
