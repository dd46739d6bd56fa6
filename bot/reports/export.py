"""`mentorship-bot export --csv PATH`: the program report as CSV, for admins' spreadsheets."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.core.clock import Clock
from bot.core.config import Config
from bot.reports.report import report_lines, write_csv
from bot.reports.totals import program_totals, summary_lines
from storage.db import make_engine, make_sessions
from storage.report import team_ids


def export_csv(config: Config, clock: Clock, path: Path, teams: Sequence[str] = ()) -> int:
    """Write every pair of the given workspaces (default: all) to `path`, each row as it is
    read (memory stays flat however many pairs there are); print a summary."""
    engine = make_engine(config.database_url)
    rows = 0
    try:
        with (
            make_sessions(engine)() as session,
            path.open("w", newline="", encoding="utf-8") as out,
        ):
            now = clock.now()
            wanted = list(teams) or team_ids(session)
            lines = (line for team in wanted for line in report_lines(session, team, now))
            rows = write_csv(lines, out)
            summaries = [program_totals(session, team, now) for team in wanted]
    finally:
        engine.dispose()
    for totals in summaries:
        print(f"Workspace {totals.team_id}:", file=sys.stdout)
        for line in summary_lines(totals):
            print(f"  {line}", file=sys.stdout)
    print(f"Wrote {rows} pair{'s' if rows != 1 else ''} to {path}.", file=sys.stdout)
    return 0
