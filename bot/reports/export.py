"""`mentorship-bot export --csv PATH`: the program report as CSV, for admins' spreadsheets."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.clock import Clock
from bot.core.config import Config
from bot.reports.report import build_report, summary_lines, write_csv
from storage.db import make_engine, make_sessions
from storage.report import team_ids


def export_csv(config: Config, clock: Clock, path: Path, teams: Sequence[str] = ()) -> int:
    """Write every pair of the given workspaces (default: all) to `path`; print a summary."""
    engine = make_engine(config.database_url)
    try:
        with make_sessions(engine)() as session:
            now = clock.now()
            wanted = list(teams) or team_ids(session)
            reports = [build_report(session, team, now) for team in wanted]
        with path.open("w", newline="", encoding="utf-8") as out:
            rows = write_csv(reports, out)
    finally:
        engine.dispose()
    for report in reports:
        print(f"Workspace {report.team_id}:", file=sys.stdout)
        for line in summary_lines(report):
            print(f"  {line}", file=sys.stdout)
    print(f"Wrote {rows} pair{'s' if rows != 1 else ''} to {path}.", file=sys.stdout)
    return 0
