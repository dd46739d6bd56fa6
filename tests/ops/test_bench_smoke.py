"""The benchmark command runs end to end with tiny numbers (no timing is asserted: the figures
of a shared machine mean little; bench/README.md has a real run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_command_runs_and_prints_its_table(tmp_path: Path) -> None:
    work = tmp_path / "bench"
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--sqlite-only", "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "| benchmark | measure | sqlite | sqlite ref | sqlite ×ref | target |" in result.stdout
    results = json.loads((work / "results.json").read_text())
    measures = {r["measure"] for r in results}
    for expected in (
        "start c16 p99 to HTTP answer",
        "start c16 p99 to views.open",
        "submit c1 p50 to HTTP answer",
        "submit c1 p50 to the mentee's summary DM, against the same Slack calls",
        "DM reply c16 p99 to the reply",
        "DM reply c16 p99 to the reply, against one stored row",
        "limited: delivered / allowed by the 600/min cap",
        "serve resident memory idle, empty database",
        "admin Home to views.publish, median (160 pairs)",
        "person in 30 pairs: SQL statements (ref: 1 pair)",
        "export --csv, traced peak (160 pairs)",
    ):
        assert expected in measures, sorted(measures)
    # Correctness is checked even in a smoke run: nothing posted twice, nothing lost.
    for r in results:
        if any(
            words in r["measure"]
            for words in (
                "duplicates / lost",
                "failed or unanswered",
                "never arrived",
                "not stored",
            )
        ):
            assert r["value"] == 0, r


def test_the_program_benchmark_runs_through_serve() -> None:
    # A cohort of 100 × 40 behind `serve`: 20 enrolments and one `program match` whose proposal
    # arrives (the command exits with a message otherwise); no timing is asserted.
    result = subprocess.run(
        [sys.executable, "-m", "bench.program_serve", "--quick", "--sqlite-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for expected in (
        "| sqlite | enrolment submission p99 to HTTP answer (ms)",
        "| sqlite | enrolment submission CPU per request (ms) |",
        "| sqlite | program match, 100 × 40: to views.open (ms)",
        "| sqlite | program match, 100 × 40: to the proposal (views.update, ms)",
    ):
        assert expected in result.stdout, result.stdout


def test_paired_runs_of_two_checkouts_alternate_and_summarise(tmp_path: Path) -> None:
    # Two apps from this checkout (one with an extra environment variable), one round of five
    # submissions after the warm-up: each app's round and its summary lines are printed.
    result = subprocess.run(
        [sys.executable, "-m", "bench.paired", "--app", "a=.", "--app", "b=.:UNUSED=1",
         "--rounds", "1", "--n", "5", "--concurrency", "2", "--work", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for app in ("a", "b"):
        assert f"round 1 {app}: cpu " in result.stdout
        for figure in ("cpu", "p99", "summary p50"):
            assert f"{app} {figure:>12} (ms): lowest " in result.stdout, result.stdout
