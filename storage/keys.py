"""Occurrence keys of outbox rows: one builder per kind, and the patterns that find them again.

A row's key makes planning it twice harmless (it is unique in the outbox). The grammar, written
down once here and nowhere else:

    nudge:{meeting}:{slot}:{user}       followup:{meeting}:{slot}:{user}
    moved:{meeting}:{user}              summary:{pair}:v{schedule version}:{user}
    prompt:{prompt}    remind:{prompt}  announce:{milestone}    journey:{pair}:{user}
    problem:{pair}:{recipient}:{error}  {verb}:{pair}:{stamp}:{user}   (one-off notices)
    match:{pair}:{user}    enrolment:{enrolment}:r{revision}    unmatched:{run}:{user}
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from storage.models import Delivery, DeliveryKind


def meeting_message(kind: DeliveryKind, meeting_id: int, slot: str, user_id: str) -> str:
    """A nudge or follow-up about one meeting for one person."""
    return f"{kind.value}:{meeting_id}:{slot}:{user_id}"


def of_meeting(meeting_id: int) -> ColumnElement[bool]:
    """The nudges and follow-ups of one meeting (a filter on Delivery)."""
    return or_(
        *(
            Delivery.occurrence_key.like(f"{kind.value}:{meeting_id}:%")
            for kind in (DeliveryKind.NUDGE, DeliveryKind.FOLLOWUP)
        )
    )


def moved(meeting_id: int, user_id: str) -> str:
    """The note to one person that a meeting was moved (`meeting_id` is the new meeting)."""
    return f"moved:{meeting_id}:{user_id}"


def summary(pair_id: int, version: int, user_id: str) -> str:
    """The plan summary of one version of a pair's schedule, for one person."""
    return f"summary:{pair_id}:v{version}:{user_id}"


def prompt(prompt_id: int) -> str:
    """A milestone's reflection questions for one person."""
    return f"prompt:{prompt_id}"


def reminder(prompt_id: int) -> str:
    """The one reminder for an unfinished reflection."""
    return f"remind:{prompt_id}"


def announcement(milestone_id: int) -> str:
    """A milestone's post in the plan's channel."""
    return f"announce:{milestone_id}"


def journey(pair_id: int, user_id: str) -> str:
    """The end-of-mentorship summary for one person."""
    return f"journey:{pair_id}:{user_id}"


def problem(pair_id: int, recipient: str, error: str) -> str:
    """The creator's note about a message that could not be delivered (once per problem)."""
    return f"problem:{pair_id}:{recipient}:{error}"


def notice(verb: str, pair_id: int, stamp: str, user_id: str) -> str:
    """A one-off DM about something that happened to a pair (paused, resumed, ended...)."""
    return f"{verb}:{pair_id}:{stamp}:{user_id}"


def match_summary(pair_id: int, user_id: str) -> str:
    """A program pair's plan summary with why they were matched, for one person."""
    return f"match:{pair_id}:{user_id}"


def enrolment(enrolment_id: int, revision: int) -> str:
    """The confirmation of one revision of someone's enrolment in a program."""
    return f"enrolment:{enrolment_id}:r{revision}"


def unmatched(run_id: int, user_id: str) -> str:
    """The note to someone a published run found no match for that they stay enrolled."""
    return f"unmatched:{run_id}:{user_id}"
