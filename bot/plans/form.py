"""Reading a submitted plan modal: its state as a PlanForm, and field errors keyed by block id."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from bot.domain.plan import PlanForm
from bot.plans.modal import ACTION, ANNOUNCE_OPTION, LABELS


def _value(state: Mapping[str, Any], block_id: str) -> Mapping[str, Any]:
    block = state.get(block_id) or {}
    value = block.get(ACTION) if isinstance(block, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _selected(state: Mapping[str, Any], block_id: str) -> str | None:
    option = _value(state, block_id).get("selected_option")
    return option.get("value") if isinstance(option, Mapping) else None


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _parse_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _parse_time(raw: Any) -> time | None:
    try:
        return time.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def parse_plan_state(values: Mapping[str, Any]) -> PlanForm:
    """Turn `view.state.values` into a PlanForm; unknown or malformed input becomes None."""
    channels = _value(values, "channels").get("selected_options") or []
    announce = _value(values, "announce").get("selected_options") or []
    return PlanForm(
        mentor_id=_value(values, "mentor").get("selected_user"),
        mentee_id=_value(values, "mentee").get("selected_user"),
        mentee_goals=_value(values, "mentee_goals").get("value"),
        mentor_goals=_value(values, "mentor_goals").get("value"),
        vision=_value(values, "vision").get("value"),
        cadence=_selected(values, "cadence"),
        first_date=_parse_date(_value(values, "first_date").get("selected_date")),
        meeting_time=_parse_time(_value(values, "meeting_time").get("selected_time")),
        meeting_minutes=_int_or_none(_selected(values, "meeting_minutes")),
        tz=_value(values, "tz").get("value"),
        format=_selected(values, "format"),
        channels=tuple(o.get("value", "") for o in channels if isinstance(o, Mapping)),
        duration_months=_int_or_none(_selected(values, "duration")),
        end_date=_parse_date(_value(values, "end_date").get("selected_date")),
        checkpoint_weeks=_int_or_none(_selected(values, "checkpoint_weeks")),
        announce_channel=_value(values, "announce_channel").get("selected_conversation"),
        announce=any(
            isinstance(o, Mapping) and o.get("value") == ANNOUNCE_OPTION for o in announce
        ),
    )


# Field errors must name an input block; map pure-validation keys onto block ids.
ERROR_BLOCKS = {key: key for key in LABELS}


def field_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """Validation errors keyed by the modal's block ids."""
    return {ERROR_BLOCKS.get(key, "mentee"): msg for key, msg in errors.items()}
