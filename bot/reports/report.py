"""The program report: pairs by status, meetings held against planned, reflection response rate,
sessions with notes and action items done, and pairs at risk with whom to contact. Counts only:
no reflection or notes text ever enters it."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

from sqlalchemy.orm import Session

from bot.domain.schedule import resolve_local
from bot.domain.timefmt import format_local_date
from storage.models import Pair, PairStatus
from storage.programs import program_names
from storage.report import PairCounts, cached_names, pair_chunks, pair_counts

PERIOD_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30}
IGNORED_LIMIT = 2


def risks(
    *,
    status: str,
    cadence: str,
    first_meeting: datetime,
    last_held: datetime | None,
    ignored: int,
    now: datetime,
) -> tuple[str, ...]:
    """Why an active pair needs attention: no meeting recorded for two cadence periods (counted
    from the first meeting when none was held), or reflection prompts left unanswered twice."""
    if status != PairStatus.ACTIVE:
        return ()
    found: list[str] = []
    since = last_held or first_meeting
    period = timedelta(days=PERIOD_DAYS.get(cadence, 30))
    if now - since > 2 * period:
        day = format_local_date(since.date())
        found.append(
            f"no meeting recorded since {day}" if last_held else f"no meeting recorded yet ({day})"
        )
    if ignored >= IGNORED_LIMIT:
        found.append(f"{ignored} reflection prompts went unanswered")
    return tuple(found)


@dataclass(frozen=True)
class PairLine:
    """One pair in the report."""

    team_id: str
    pair_id: int
    mentor_id: str
    mentor_name: str
    mentee_id: str
    mentee_name: str
    creator_id: str
    status: str
    cadence: str
    start_date: date
    end_date: date
    counts: PairCounts
    risks: tuple[str, ...]
    program_id: int | None = None
    program: str = ""  # the program that made the pair; "" for a pair made by hand

    @property
    def contacts(self) -> tuple[str, ...]:
        """Who to talk to about this pair: both participants, and the creator if someone else."""
        people = [self.mentee_id, self.mentor_id]
        return tuple(people + ([self.creator_id] if self.creator_id not in people else []))


@dataclass(frozen=True)
class ProgramReport:
    """A workspace's program at one instant."""

    team_id: str
    generated_at: datetime
    pairs: tuple[PairLine, ...]

    def count(self, status: str) -> int:
        return sum(1 for p in self.pairs if p.status == status)

    @property
    def planned(self) -> int:
        return sum(p.counts.planned for p in self.pairs)

    @property
    def held(self) -> int:
        return sum(p.counts.held for p in self.pairs)

    @property
    def asked(self) -> int:
        return sum(p.counts.asked for p in self.pairs)

    @property
    def answered(self) -> int:
        return sum(p.counts.answered for p in self.pairs)

    @property
    def with_notes(self) -> int:
        return sum(p.counts.with_notes for p in self.pairs)

    @property
    def items_done(self) -> int:
        return sum(p.counts.items_done for p in self.pairs)

    @property
    def items_open(self) -> int:
        return sum(p.counts.items_open for p in self.pairs)

    @property
    def at_risk(self) -> list[PairLine]:
        return [p for p in self.pairs if p.risks]

    def programs(self) -> list[str]:
        """The programs that made pairs, in the order of their first pair."""
        return list(dict.fromkeys(p.program for p in self.pairs if p.program))


def percent(part: int, whole: int) -> str:
    """ "80%", or "–" when there is nothing to divide by."""
    return f"{round(100 * part / whole)}%" if whole else "–"


def line_for(
    team_id: str,
    pair: Pair,
    counts: Mapping[int, PairCounts],
    names: Mapping[str, str],
    programs: Mapping[int, str],
    now: datetime,
) -> PairLine:
    """One pair's line of the report, from its counts and the cached names."""
    c = counts.get(pair.id, PairCounts())
    first = resolve_local(pair.start_date, pair.meeting_time, pair.tz)
    return PairLine(
        team_id=team_id,
        pair_id=pair.id,
        mentor_id=pair.mentor_id,
        mentor_name=names.get(pair.mentor_id, pair.mentor_id),
        mentee_id=pair.mentee_id,
        mentee_name=names.get(pair.mentee_id, pair.mentee_id),
        creator_id=pair.creator_id,
        status=pair.status,
        cadence=pair.cadence,
        start_date=pair.start_date,
        end_date=pair.end_date,
        counts=c,
        risks=risks(
            status=pair.status,
            cadence=pair.cadence,
            first_meeting=first,
            last_held=c.last_held,
            ignored=c.ignored,
            now=now,
        ),
        program_id=pair.program_id,
        program=programs.get(pair.program_id, "") if pair.program_id else "",
    )


def report_lines(session: Session, team_id: str, now: datetime) -> Iterator[PairLine]:
    """Every pair of a workspace as a report line, oldest first, read a chunk at a time: the
    CSV is written as the lines come, never holding every pair."""
    programs = program_names(session, team_id)
    for chunk in pair_chunks(session, team_id):
        counts = pair_counts(session, team_id, now, [p.id for p in chunk])
        names = cached_names(
            session, team_id, {u for p in chunk for u in (p.mentor_id, p.mentee_id)}
        )
        for pair in chunk:
            yield line_for(team_id, pair, counts, names, programs, now)


def build_report(session: Session, team_id: str, now: datetime) -> ProgramReport:
    """Compute the whole report for one workspace (every pair in memory)."""
    return ProgramReport(team_id, now, tuple(report_lines(session, team_id, now)))


CSV_COLUMNS = (
    "team_id",
    "pair_id",
    "program",
    "status",
    "mentee_id",
    "mentee_name",
    "mentor_id",
    "mentor_name",
    "creator_id",
    "cadence",
    "start_date",
    "end_date",
    "meetings_planned",
    "meetings_held",
    "last_meeting_held",
    "prompts_asked",
    "prompts_answered",
    "prompts_unanswered",
    "at_risk",
    "risk_reasons",
    "contact",
    "sessions_with_notes",
    "action_items_done",
    "action_items_open",
)


def csv_row(p: PairLine) -> list[str | int]:
    """One CSV row for a pair (the columns of CSV_COLUMNS)."""
    c = p.counts
    return [
        p.team_id,
        p.pair_id,
        p.program,
        p.status,
        p.mentee_id,
        p.mentee_name,
        p.mentor_id,
        p.mentor_name,
        p.creator_id,
        p.cadence,
        p.start_date.isoformat(),
        p.end_date.isoformat(),
        c.planned,
        c.held,
        c.last_held.isoformat() if c.last_held else "",
        c.asked,
        c.answered,
        c.ignored,
        "yes" if p.risks else "no",
        "; ".join(p.risks),
        " ".join(p.contacts) if p.risks else "",
        c.with_notes,
        c.items_done,
        c.items_open,
    ]


def write_csv(lines: Iterable[PairLine], out: TextIO) -> int:
    """Write the header and one row per line as it comes; return the number of rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for line in lines:
        writer.writerow(csv_row(line))
        rows += 1
    return rows
