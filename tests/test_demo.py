"""The demo plays the whole story and shows what each person saw."""

from __future__ import annotations

from bot.demo import run_demo


def test_demo_runs_and_shows_the_story(capsys) -> None:
    assert run_demo(quiet=False) == 0
    out = capsys.readouterr().out
    assert "Omar saw errors in 'Start a mentorship'" in out
    assert "DM to Maya: 📅 Your mentorship with *Omar* is set up" in out
    # Nudges in each reader's zone, across both daylight-saving changes.
    assert "Tue 9 Mar at 09:00 (15:00 for Omar)" in out
    assert "Tue 16 Mar at 10:00 (15:00 for Omar)" in out
    assert "Tue 30 Mar at 09:00 (15:00 for Omar)" in out
    assert "Recorded: you met on Tue 9 Mar" in out
    assert "Omar moved your mentorship session to Wed 17 Mar at 11:00" in out
    assert "the Tue 23 Mar session was skipped" in out
    assert "Traceback" not in out
