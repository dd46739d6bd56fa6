"""The program report's totals for one workspace in a few aggregate queries (COUNT/SUM/GROUP
BY), and its pairs at risk found by SQL: what the Home's overview and `/mentorship report` show,
without loading every pair. Counts only: no reflection or notes text is read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import Date

from storage.meetings import CANCELLED_MEETING
from storage.models import (
    ActionItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Pair,
    PairStatus,
    PromptStatus,
    ReflectionPrompt,
    SessionNote,
    UTCDateTime,
)

HELD, RESCHEDULED = MeetingStatus.HELD.value, MeetingStatus.RESCHEDULED.value
# A day's first meeting, whatever its zone (UTC-12 to UTC+14), falls within a day and a half of
# its date's midnight in UTC: pairs whose start date is further than that from the cut-off
# are judged by SQL, the few nearer by the exact rule in Python.
NEAR = timedelta(days=2)


@dataclass(frozen=True)
class Totals:
    """Sums over every pair of a workspace."""

    planned: int = 0
    held: int = 0
    asked: int = 0
    answered: int = 0
    with_notes: int = 0
    items_done: int = 0
    items_open: int = 0


def _n(value: Any) -> int:
    return int(value or 0)


def status_counts(session: Session, team_id: str) -> list[tuple[int | None, str, int, int]]:
    """(program id, status, pairs, first pair id) for every program (None: made by hand)."""
    rows = session.execute(
        select(Pair.program_id, Pair.status, func.count(), func.min(Pair.id))
        .where(Pair.team_id == team_id)
        .group_by(Pair.program_id, Pair.status)
    )
    return [(program_id, status, _n(n), _n(first)) for program_id, status, n, first in rows]


def totals(session: Session, team_id: str, now: datetime) -> Totals:
    """Meetings planned and held, prompts asked and answered, sessions with notes and action
    items done and open, over the whole workspace (each as `pair_counts` counts it per pair)."""
    held = Meeting.status == HELD
    planned = or_(
        held,
        and_(Meeting.scheduled_at <= now, Meeting.status.not_in((RESCHEDULED, CANCELLED_MEETING))),
    )
    n_planned, n_held = session.execute(
        select(func.sum(case((planned, 1), else_=0)), func.sum(case((held, 1), else_=0))).where(
            Meeting.team_id == team_id
        )
    ).one()
    done = ReflectionPrompt.status == PromptStatus.DONE.value
    asked, answered = session.execute(
        select(
            func.sum(case((ReflectionPrompt.asked_at.is_not(None), 1), else_=0)),
            func.sum(case((done, 1), else_=0)),
        ).where(ReflectionPrompt.team_id == team_id)
    ).one()
    notes = session.scalar(
        select(func.count(func.distinct(SessionNote.meeting_id))).where(
            SessionNote.team_id == team_id
        )
    )
    items_done, items_open = session.execute(
        select(
            func.sum(case((ActionItem.status == ItemStatus.DONE.value, 1), else_=0)),
            func.sum(case((ActionItem.status == ItemStatus.OPEN.value, 1), else_=0)),
        ).where(ActionItem.team_id == team_id)
    ).one()
    return Totals(
        _n(n_planned), _n(n_held), _n(asked), _n(answered), _n(notes), _n(items_done),
        _n(items_open),
    )  # fmt: skip


@dataclass(frozen=True)
class RiskRule:
    """When an active pair is at risk: no held meeting since `cutoff[cadence]` (`default` for
    other cadences), counted from its first meeting when none was held; or `ignored` prompts
    left unanswered."""

    cutoff: Mapping[str, datetime]
    default: datetime
    ignored: int

    def _by_cadence(self, values: Mapping[str, Any], default: Any, kind: Any) -> Any:
        whens = [(Pair.cadence == c, literal(v, kind)) for c, v in values.items()]
        return case(*whens, else_=literal(default, kind))

    def filters(self) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        """(surely at risk, to be judged in Python): both for active pairs."""
        cutoff = self._by_cadence(self.cutoff, self.default, UTCDateTime())
        days = {c: (t - NEAR).date() for c, t in self.cutoff.items()}
        early = self._by_cadence(days, (self.default - NEAR).date(), Date())
        late = self._by_cadence(
            {c: (t + NEAR).date() for c, t in self.cutoff.items()},
            (self.default + NEAR).date(),
            Date(),
        )
        mine = Meeting.pair_id == Pair.id
        held_since = exists().where(mine, Meeting.status == HELD, Meeting.scheduled_at >= cutoff)
        ever_held = exists().where(mine, Meeting.status == HELD)
        ignored = (
            select(func.count())
            .where(
                ReflectionPrompt.pair_id == Pair.id,
                ReflectionPrompt.asked_at.is_not(None),
                ReflectionPrompt.status == PromptStatus.EXPIRED.value,
                ReflectionPrompt.position == 0,
            )
            .scalar_subquery()
        )
        stale = and_(not_(held_since), or_(ever_held, Pair.start_date <= early))
        sure = or_(ignored >= self.ignored, stale)
        # The cheap comparisons first: most pairs are ruled out before any subquery runs.
        # Never held and started after `early`, a pair is surely at risk only by its prompts.
        near = and_(
            Pair.start_date > early,
            Pair.start_date < late,
            not_(ever_held),
            ignored < self.ignored,
        )
        return sure, near


def _active(team_id: str) -> ColumnElement[bool]:
    return and_(Pair.team_id == team_id, Pair.status == PairStatus.ACTIVE.value)


def risky_counts(session: Session, team_id: str, rule: RiskRule) -> dict[int | None, int]:
    """Active pairs surely at risk, per program id (None: made by hand)."""
    sure, _ = rule.filters()
    rows = session.execute(
        select(Pair.program_id, func.count())
        .where(_active(team_id), sure)
        .group_by(Pair.program_id)
    )
    return {program_id: _n(n) for program_id, n in rows}


Start = tuple[date, time, str, str]  # start date, meeting time, zone, cadence


def near_starts(
    session: Session, team_id: str, rule: RiskRule
) -> list[tuple[Start, int | None, int]]:
    """Active pairs with no meeting held that started near a cut-off, counted per start (date,
    time, zone, cadence) and program: judged in Python a start at a time (a cohort that began
    on one day is one row, however many pairs it has)."""
    _, near = rule.filters()
    cols = (Pair.start_date, Pair.meeting_time, Pair.tz, Pair.cadence, Pair.program_id)
    rows = session.execute(
        select(*cols, func.count()).where(_active(team_id), near).group_by(*cols)
    )
    return [((d, t, z, c), program_id, _n(n)) for d, t, z, c, program_id, n in rows]


def first_risky(
    session: Session, team_id: str, rule: RiskRule, limit: int, late: Sequence[Start]
) -> list[Pair]:
    """The oldest `limit` active pairs at risk: surely, or near with a start in `late` (those
    whose first meeting came before the cut-off)."""
    sure, near = rule.filters()
    starts = [
        and_(Pair.start_date == d, Pair.meeting_time == t, Pair.tz == z, Pair.cadence == c)
        for d, t, z, c in late
    ]
    risky = or_(sure, and_(near, or_(*starts))) if starts else sure
    stmt = select(Pair).where(_active(team_id), risky).order_by(Pair.id)
    return list(session.scalars(stmt.limit(limit)))
