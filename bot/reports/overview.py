"""The program overview on admins' Home tabs, at any size of workspace.

Below SNAPSHOT_FROM pairs a Home counts live (`program_totals`: a few aggregate queries, tens of
milliseconds). Above it, the aggregates still go over every active pair (about 15 µs each:
1.4 s at 100,000 pairs), so the Home reads the workspace's snapshot instead: one row by primary
key, computed at most MAX_AGE ago and saying when. The heartbeat recomputes a snapshot once it is
REFRESH_AFTER old, so an admin's Home never waits for the aggregates once the first Home of a
large workspace has made one. `/mentorship report` reads the same overview (the Home and the
command agree, each saying when a snapshot was counted); the CSV always counts live.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core.services import Services
from bot.reports.report import PairLine
from bot.reports.totals import ProgramLine, ProgramTotals, program_totals
from storage.overview import drop_snapshot, read_snapshot, save_snapshot, stale_snapshots
from storage.report import PairCounts

log = logging.getLogger(__name__)

SNAPSHOT_FROM = 2_000  # pairs in the workspace
REFRESH_AFTER = timedelta(minutes=2)
MAX_AGE = timedelta(minutes=10)  # older than this (no heartbeat ran), the Home counts live


def overview(services: Services, session: Session, team_id: str, now: datetime) -> ProgramTotals:
    """The admin overview's numbers: the snapshot when the workspace has one younger than
    MAX_AGE, else counted now (and kept as the snapshot when the workspace is large)."""
    snapshot = read_snapshot(session, team_id)
    if snapshot is not None and now - snapshot.computed_at <= MAX_AGE:
        return from_json(snapshot.body)
    totals = program_totals(session, team_id, now)
    if totals.pairs >= SNAPSHOT_FROM or snapshot is not None:
        _keep(services, totals)
    return totals


def counted_at(totals: ProgramTotals, now: datetime) -> datetime | None:
    """When the overview was counted, if that was over a minute ago (a snapshot): what the
    Home and `/mentorship report` say beside its numbers."""
    return totals.generated_at if now - totals.generated_at > timedelta(minutes=1) else None


def refresh_overviews(services: Services, limit: int = 1) -> int:
    """Recompute up to `limit` snapshots older than REFRESH_AFTER (the heartbeat's part);
    return how many. A workspace that shrank below SNAPSHOT_FROM goes back to live counts."""
    now = services.clock.now()
    with services.sessions() as session:
        teams = stale_snapshots(session, now - REFRESH_AFTER, limit)
    for team_id in teams:
        with services.sessions() as session:
            totals = program_totals(session, team_id, now)
        _keep(services, totals)
    return len(teams)


def _keep(services: Services, totals: ProgramTotals) -> None:
    with services.sessions.begin() as session:
        if totals.pairs >= SNAPSHOT_FROM:
            body = to_json(totals)
            save_snapshot(session, totals.team_id, totals.generated_at, totals.pairs, body)
        else:
            drop_snapshot(session, totals.team_id)


def to_json(t: ProgramTotals) -> dict[str, Any]:
    """The overview as JSON-ready values (dates and datetimes as ISO strings)."""

    def line(p: PairLine) -> dict[str, Any]:
        counts = asdict(p.counts)
        last = p.counts.last_held
        counts["last_held"] = last.isoformat() if last else None
        return {
            **{k: v for k, v in asdict(p).items() if k not in ("counts", "start_date", "end_date")},
            "start_date": p.start_date.isoformat(),
            "end_date": p.end_date.isoformat(),
            "counts": counts,
        }

    return {
        "generated_at": t.generated_at.isoformat(),
        "statuses": list(t.statuses),
        "numbers": [t.planned, t.held, t.asked, t.answered, t.with_notes, t.items_done,
                    t.items_open, t.at_risk_count],
        "at_risk": [line(p) for p in t.at_risk],
        "programs": [[p.program_id, p.name, list(p.statuses), p.at_risk] for p in t.programs],
        "team_id": t.team_id,
    }  # fmt: skip


def from_json(data: dict[str, Any]) -> ProgramTotals:
    """`to_json` read back."""

    def line(d: dict[str, Any]) -> PairLine:
        c = dict(d["counts"])
        c["last_held"] = datetime.fromisoformat(c["last_held"]) if c["last_held"] else None
        return PairLine(
            team_id=d["team_id"], pair_id=d["pair_id"], mentor_id=d["mentor_id"],
            mentor_name=d["mentor_name"], mentee_id=d["mentee_id"], mentee_name=d["mentee_name"],
            creator_id=d["creator_id"], status=d["status"], cadence=d["cadence"],
            start_date=date.fromisoformat(d["start_date"]),
            end_date=date.fromisoformat(d["end_date"]), counts=PairCounts(**c),
            risks=tuple(d["risks"]), program_id=d["program_id"], program=d["program"],
        )  # fmt: skip

    planned, held, asked, answered, notes, done, open_, risky = data["numbers"]
    return ProgramTotals(
        data["team_id"], datetime.fromisoformat(data["generated_at"]), tuple(data["statuses"]),
        planned, held, asked, answered, notes, done, open_, risky,
        tuple(line(d) for d in data["at_risk"]),
        tuple(ProgramLine(i, n, tuple(s), r) for i, n, s, r in data["programs"]),
    )  # fmt: skip
