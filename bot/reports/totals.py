"""The program report's headline numbers (what the Home's overview and `/mentorship report`
show): from aggregate queries (`program_totals`, whose cost does not follow the number of pairs
read into Python), or from a whole report (`totals_of`, the reference the tests compare with)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.schedule import resolve_local
from bot.reports.report import (
    IGNORED_LIMIT,
    PERIOD_DAYS,
    PairLine,
    ProgramReport,
    line_for,
    percent,
)
from storage.models import ALL_STATUSES
from storage.programs import program_names
from storage.report import cached_names, pair_counts
from storage.report_totals import (
    RiskRule,
    Start,
    first_risky,
    near_starts,
    risky_counts,
    status_counts,
)
from storage.report_totals import totals as sql_totals

LIMIT = 15  # at-risk pairs named in `/mentorship report` (the Home names 5 of them)


@dataclass(frozen=True)
class ProgramLine:
    """One program's pairs by status and how many are at risk ("" and None: made by hand)."""

    program_id: int | None
    name: str
    statuses: tuple[int, ...]  # in the order of ALL_STATUSES
    at_risk: int

    def text(self) -> str:
        """ "4 active · 0 paused · 0 completed · 0 ended · 1 at risk"."""
        counts = " · ".join(f"{n} {s}" for s, n in zip(ALL_STATUSES, self.statuses, strict=True))
        return f"{counts} · {self.at_risk} at risk"


@dataclass(frozen=True)
class ProgramTotals:
    """A workspace's program at one instant, in numbers, with its first pairs at risk."""

    team_id: str
    generated_at: datetime
    statuses: tuple[int, ...]  # pairs per status, in the order of ALL_STATUSES
    planned: int
    held: int
    asked: int
    answered: int
    with_notes: int
    items_done: int
    items_open: int
    at_risk_count: int
    at_risk: tuple[PairLine, ...]  # the oldest LIMIT of them
    programs: tuple[ProgramLine, ...]  # named programs by their first pair, then made by hand

    def count(self, status: str) -> int:
        return self.statuses[ALL_STATUSES.index(status)]

    @property
    def pairs(self) -> int:
        return sum(self.statuses)

    def program(self, program_id: int) -> ProgramLine | None:
        return next((p for p in self.programs if p.program_id == program_id), None)


def _lines(
    first: dict[str, int],
    ids: dict[str, int | None],
    by_status: Counter[tuple[str, str]],
    risky: Counter[str],
) -> tuple[ProgramLine, ...]:
    named = sorted((n for n in first if n), key=lambda n: first[n])
    names = named + ([""] if named and "" in first else [])
    return tuple(
        ProgramLine(
            ids.get(name), name, tuple(by_status[name, s] for s in ALL_STATUSES), risky[name]
        )
        for name in names
    )


def totals_of(report: ProgramReport, limit: int = LIMIT) -> ProgramTotals:
    """The numbers of a whole report (every pair in memory: the reference)."""
    first: dict[str, int] = {}
    ids: dict[str, int | None] = {}
    by_status: Counter[tuple[str, str]] = Counter()
    risky: Counter[str] = Counter()
    for p in report.pairs:
        first.setdefault(p.program, p.pair_id)
        ids.setdefault(p.program, p.program_id if p.program else None)
        by_status[p.program, p.status] += 1
        risky[p.program] += bool(p.risks)
    at_risk = report.at_risk
    return ProgramTotals(
        report.team_id, report.generated_at, tuple(report.count(s) for s in ALL_STATUSES),
        report.planned, report.held, report.asked, report.answered, report.with_notes,
        report.items_done, report.items_open, len(at_risk), tuple(at_risk[:limit]),
        _lines(first, ids, by_status, risky),
    )  # fmt: skip


def risk_rule(now: datetime) -> RiskRule:
    """The report's at-risk rule (`risks`) as the cut-offs SQL compares with."""
    cutoff = {c: now - 2 * timedelta(days=d) for c, d in PERIOD_DAYS.items()}
    return RiskRule(cutoff, now - 2 * timedelta(days=30), IGNORED_LIMIT)


def _first_meeting_late(start: Start, rule: RiskRule) -> bool:
    """Near pairs (no meeting held) are at risk when their first meeting (`start`: date, time,
    zone, cadence) is before the cut-off."""
    day, at, zone, cadence = start
    return resolve_local(day, at, zone) < rule.cutoff.get(cadence, rule.default)


def program_totals(
    session: Session, team_id: str, now: datetime, limit: int = LIMIT
) -> ProgramTotals:
    """The numbers of `build_report` from aggregate queries, and its first `limit` pairs at
    risk: what is read does not grow with the pairs (the near pairs are those with no meeting
    held whose start date is within two days of a cut-off)."""
    names = program_names(session, team_id)
    rule = risk_rule(now)

    def name(program_id: int | None) -> str:
        return names.get(program_id, "") if program_id else ""

    first: dict[str, int] = {}
    ids: dict[str, int | None] = {}
    by_status: Counter[tuple[str, str]] = Counter()
    for program_id, status, n, first_id in status_counts(session, team_id):
        key = name(program_id)
        first[key] = min(first.get(key, first_id), first_id)
        ids.setdefault(key, program_id if key else None)
        by_status[key, status] += n
    risky: Counter[str] = Counter()
    for program_id, n in risky_counts(session, team_id, rule).items():
        risky[name(program_id)] += n
    near = near_starts(session, team_id, rule)
    late = sorted({start for start, _, _ in near if _first_meeting_late(start, rule)})
    for start, program_id, n in near:
        risky[name(program_id)] += n if start in late else 0
    chosen = first_risky(session, team_id, rule, limit, late)
    counts = pair_counts(session, team_id, now, [p.id for p in chosen])
    people = cached_names(session, team_id, {u for p in chosen for u in (p.mentor_id, p.mentee_id)})
    at_risk = tuple(line_for(team_id, p, counts, people, names, now) for p in chosen)
    t = sql_totals(session, team_id, now)
    statuses = tuple(sum(by_status[k, s] for k in first) for s in ALL_STATUSES)
    return ProgramTotals(
        team_id, now, statuses, t.planned, t.held, t.asked, t.answered, t.with_notes,
        t.items_done, t.items_open, sum(risky.values()), at_risk,
        _lines(first, ids, by_status, risky),
    )  # fmt: skip


def summary_lines(t: ProgramTotals) -> Sequence[str]:
    """The headline numbers as plain lines (the CLI prints these)."""
    counts = " · ".join(f"{t.count(s)} {s}" for s in ALL_STATUSES)
    return (
        f"Pairs: {counts}",
        f"Meetings held: {t.held} of {t.planned} planned ({percent(t.held, t.planned)})",
        f"Reflection prompts answered: {t.answered} of {t.asked} ({percent(t.answered, t.asked)})",
        f"Sessions with notes: {t.with_notes} of {t.held} held",
        f"Action items: {t.items_done} done, {t.items_open} open",
        f"Pairs at risk: {t.at_risk_count}",
        *(f"Program {p.name}: " + p.text() for p in t.programs if p.name),
    )
