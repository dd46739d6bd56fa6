"""Every kind of outbox row: its renderer, how the pair's creator hears its name, and whether
several overdue rows of one series collapse into one. The app factory hands this table to the
delivery engine (`Services.kinds`); the engine itself knows no feature."""

from __future__ import annotations

from collections.abc import Mapping

from bot.delivery.notices import render_notice
from bot.delivery.render import Kind
from bot.documents.calendar_file import render_calendar_file
from bot.documents.canvas import render_canvas
from bot.documents.export import render_plan_export
from bot.documents.sync import render_canvas_sync
from bot.meetings.render import prepare_meetings, render_followup, render_nudge
from bot.plans.summary import prepare_plan_summaries, render_plan_summary
from bot.programs.intro import render_enrolment, render_match_summary
from bot.reflections.render import (
    render_announcement,
    render_journey,
    render_prompt,
    render_reminder,
)
from bot.sessions.render import render_notes_written
from storage.models import DeliveryKind

KINDS: Mapping[str, Kind] = {
    DeliveryKind.NUDGE: Kind(
        render_nudge, "the meeting nudge", collapses=True, prepare=prepare_meetings
    ),
    DeliveryKind.FOLLOWUP: Kind(
        render_followup, "the meeting follow-up", collapses=True, prepare=prepare_meetings
    ),
    DeliveryKind.PLAN_SUMMARY: Kind(
        render_plan_summary, "the plan summary", prepare=prepare_plan_summaries
    ),
    DeliveryKind.NOTICE: Kind(render_notice, "a message"),
    DeliveryKind.REFLECTION_PROMPT: Kind(render_prompt, "the reflection questions"),
    DeliveryKind.REFLECTION_REMINDER: Kind(render_reminder, "the reflection reminder"),
    DeliveryKind.ANNOUNCEMENT: Kind(render_announcement, "the milestone announcement"),
    DeliveryKind.JOURNEY: Kind(render_journey, "the mentorship summary"),
    DeliveryKind.SESSION_NOTES: Kind(render_notes_written, "the session notes message"),
    DeliveryKind.CALENDAR_FILE: Kind(render_calendar_file, "the calendar file"),
    DeliveryKind.PLAN_EXPORT: Kind(render_plan_export, "the plan as a Markdown file"),
    DeliveryKind.CANVAS: Kind(render_canvas, "the plan canvas"),
    # Each update compares the canvas with the plan as it is then: one overdue update is enough.
    DeliveryKind.CANVAS_SYNC: Kind(render_canvas_sync, "the plan canvas update", collapses=True),
    DeliveryKind.MATCH_SUMMARY: Kind(render_match_summary, "the plan summary"),
    DeliveryKind.ENROLMENT: Kind(render_enrolment, "the enrolment confirmation"),
}
