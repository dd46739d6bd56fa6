"""Occurrence keys of outbox rows: one builder per kind, and the patterns that find them again.

A row's key makes planning it twice harmless (it is unique in the outbox). The grammar, written
down once here and nowhere else:

    nudge:{meeting}:{slot}:{user}       followup:{meeting}:{slot}:{user}
    moved:{meeting}:{user}              summary:{pair}:v{schedule version}:{user}
    prompt:{prompt}    remind:{prompt}  announce:{milestone}    journey:{pair}:{user}
    problem:{pair}:{recipient}:{error}  {verb}:{pair}:{stamp}:{user}   (one-off notices)
    notes:{meeting}:{author}:{reader}
    calendar:{pair}:v{schedule version}:{user}   export:{pair}:{content digest}:{user}
    canvas:{pair}:r{share round}   docsync:{pair}:{sync round}   canvaslink:{pair}:{canvas}:{user}
    welcome:{team}:{user}               admins:{verb}:{team}:{stamp}:{user}
    match:{pair}:{user}    enrolment:{enrolment}:r{revision}    unmatched:{run}:{user}
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, cast, literal, or_

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


def summary_of(pair_id: Any, version: int, user_id: Any) -> ColumnElement[str]:
    """`summary` as a SQL expression of a pair id and a user id that are SQL expressions too:
    for a pair whose id the same statement makes."""
    key: ColumnElement[str] = (
        literal("summary:") + cast(pair_id, String) + literal(f":v{version}:") + user_id
    )
    return key


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


def session_notes(meeting_id: int, author_id: str, reader_id: str) -> str:
    """The note to one person that their partner wrote notes on a session (once per writer)."""
    return f"notes:{meeting_id}:{author_id}:{reader_id}"


def of_session_notes(meeting_id: int) -> ColumnElement[bool]:
    """The notes messages about one session (a filter on Delivery)."""
    return Delivery.occurrence_key.like(f"notes:{meeting_id}:%")


def calendar_file(pair_id: int, version: int, user_id: str) -> str:
    """One version of a pair's calendar file, for one person (never the same file twice)."""
    return f"calendar:{pair_id}:v{version}:{user_id}"


def plan_export(pair_id: int, digest: str, user_id: str) -> str:
    """The plan as a Markdown file with this content, for one person."""
    return f"export:{pair_id}:{digest}:{user_id}"


def canvas(pair_id: int, share_round: int) -> str:
    """Creating a pair's plan canvas (a new round only after an earlier one could not)."""
    return f"canvas:{pair_id}:r{share_round}"


def canvas_sync(pair_id: int, sync_round: int) -> str:
    """Bringing a pair's canvas up to date after a change."""
    return f"docsync:{pair_id}:{sync_round}"


def canvas_link(pair_id: int, canvas_id: str, user_id: str) -> str:
    """The link to a pair's new canvas, for one of them."""
    return f"canvaslink:{pair_id}:{canvas_id}:{user_id}"


def welcome(team_id: str, user_id: str) -> str:
    """The welcome DM to the person who installed the app (once per workspace and person)."""
    return f"welcome:{team_id}:{user_id}"


def admin_notice(verb: str, team_id: str, stamp: str, user_id: str) -> str:
    """The DM telling someone they were made (or are no longer) a program admin."""
    return f"admins:{verb}:{team_id}:{stamp}:{user_id}"


def match_summary(pair_id: int, user_id: str) -> str:
    """A program pair's plan summary with why they were matched, for one person."""
    return f"match:{pair_id}:{user_id}"


def enrolment(enrolment_id: int, revision: int) -> str:
    """The confirmation of one revision of someone's enrolment in a program."""
    return f"enrolment:{enrolment_id}:r{revision}"


def unmatched(run_id: int, user_id: str) -> str:
    """The note to someone a published run found no match for that they stay enrolled."""
    return f"unmatched:{run_id}:{user_id}"
