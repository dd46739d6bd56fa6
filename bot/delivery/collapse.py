"""Several overdue rows of one series for one person collapse into one (a pure rule)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.delivery.render import Job
from storage.models import DeliveryKind


def collapse(
    jobs: Sequence[Job], collapses: Callable[[str], bool]
) -> tuple[list[Job], list[tuple[Job, str]]]:
    """(the rows to send in due order, the rows dropped with why). Of a collapsing kind's rows
    for one pair and person, follow-ups keep the newest question; nudges keep the one for the
    soonest meeting (an overdue nudge's meeting has not started, or it would be expired)."""
    newest: dict[tuple[Any, ...], Job] = {}
    keep: list[Job] = []
    dropped: list[tuple[Job, str]] = []
    for job in jobs:
        if not collapses(job.kind):
            keep.append(job)
            continue
        key = (job.pair_id, job.kind, job.recipient_id)
        kept = newest.get(key)
        if kept is None:
            newest[key] = job
            continue
        if job.kind == DeliveryKind.NUDGE:
            soonest = min(kept, job, key=lambda j: str(j.payload.get("scheduled_at", "")))
            loser = job if soonest is kept else kept
            dropped.append((loser, "collapsed into a sooner meeting's nudge"))
        else:
            soonest = job
            dropped.append((kept, "collapsed into a newer message"))
        newest[key] = soonest
    return sorted([*keep, *newest.values()], key=lambda j: (j.due_at, j.id)), dropped
