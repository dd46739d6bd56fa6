"""The program report on a seeded program: its numbers in Slack (command and admins' Home) and
in the CSV export, per workspace, with no reflection text anywhere."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.cli import main
from bot.domain.plan import Plan
from bot.reports.report import risks
from storage.models import Meeting, Pair, Person, ReflectionAnswer, ReflectionPrompt
from storage.pairs import create_pair
from tests.kit.home import command, home_text, open_home
from tests.kit.workspace import KAI, START, TEAM, Bot

OTHER_TEAM = "T0OTHER001"
SECRET_TEXT = "SECRET-REFLECTION-TEXT"


def _plan(mentor: str, mentee: str, cadence: str, first: date, end: date) -> Plan:
    return Plan(
        mentor_id=mentor,
        mentee_id=mentee,
        mentee_goals=("Grow",),
        mentor_goals=(),
        vision="Vision",
        cadence=cadence,
        monthly_mode="weekday_position",
        first_date=first,
        meeting_time=time(10, 0),
        tz="UTC",
        format="online",
        channels=("chat",),
        end_date=end,
        checkpoint_weeks=4,
        announce_channel=None,
        announce=False,
    )


def _meet(s: Session, pair_id: int, team: str, day: str, status: str, key: str = "") -> None:
    at = datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)
    s.add(
        Meeting(
            team_id=team,
            pair_id=pair_id,
            occurrence_key=key or at.strftime("%Y%m%dT%H%MZ"),
            scheduled_at=at,
            status=status,
        )
    )


def _prompt(
    s: Session,
    free: dict[int, list[int]],
    pair_id: int,
    team: str,
    user: str,
    status: str,
    position: int = 0,
) -> None:
    """An asked prompt (on the pair's next unused milestone) with one answer whose text is private."""
    prompt = ReflectionPrompt(
        team_id=team,
        pair_id=pair_id,
        milestone_id=free[pair_id].pop(0),
        user_id=user,
        status=status,
        questions=[{"key": "q", "text": "How is it going?", "kind": "text"}],
        position=position,
        asked_at=START - timedelta(days=20),
    )
    s.add(prompt)
    s.flush()
    s.add(
        ReflectionAnswer(
            team_id=team,
            user_id=user,
            prompt_id=prompt.id,
            question_key="q",
            text=SECRET_TEXT,
            channel="D1",
            ts=f"{prompt.id}.1",
            created_at=START,
        )
    )


def seed(bot: Bot) -> dict[str, int]:
    """Six pairs in the test workspace and one in another."""
    jan5, jan12, end = date(2027, 1, 5), date(2027, 1, 12), date(2027, 6, 30)
    ids: dict[str, int] = {}
    free: dict[int, list[int]] = {}
    with bot.sessions.begin() as s:
        for user, name in (("U0P1MENTOR", "Ada"), ("U0P1MENTEE", "Ben"), ("U0P2MENTEE", "Cleo")):
            s.add(Person(team_id=TEAM, user_id=user, name=name, refreshed_at=START))
        specs = [
            ("p1", TEAM, "U0P1MENTOR", "U0P1MENTEE", "weekly", jan5, "active"),
            ("p2", TEAM, "U0P2MENTOR", "U0P2MENTEE", "biweekly", jan5, "active"),
            ("p3", TEAM, "U0P3MENTOR", "U0P3MENTEE", "monthly", jan12, "active"),
            ("p4", TEAM, "U0P4MENTOR", "U0P4MENTEE", "weekly", jan5, "paused"),
            ("p5", TEAM, "U0P5MENTOR", "U0P5MENTEE", "weekly", jan5, "completed"),
            ("p6", TEAM, "U0P6MENTOR", "U0P6MENTEE", "weekly", jan5, "ended"),
            ("p7", OTHER_TEAM, "U0P7MENTOR", "U0P7MENTEE", "weekly", jan5, "active"),
        ]
        for key, team, mentor, mentee, cadence, first, status in specs:
            creator = KAI if key == "p2" else mentor
            pair = create_pair(s, team, creator, _plan(mentor, mentee, cadence, first, end), START)
            s.execute(update(Pair).where(Pair.id == pair.id).values(status=status))
            ids[key] = pair.id
            free[pair.id] = [m.id for m in pair.milestones]
        p1, p2, p3 = ids["p1"], ids["p2"], ids["p3"]
        for day, status in (
            ("2027-01-05", "held"),
            ("2027-01-12", "held"),
            ("2027-01-19", "skipped"),
            ("2027-01-26", "upcoming"),  # never answered: planned, not held
            ("2027-02-02", "rescheduled"),  # moved: its replacement counts instead
            ("2027-02-09", "cancelled"),  # dropped by a pause: not planned
            ("2027-02-23", "held"),
            ("2027-03-02", "upcoming"),  # still to come: not planned yet
        ):
            _meet(s, p1, TEAM, day, status)
        _meet(s, p1, TEAM, "2027-02-03", "held", key="20270202T1000Z>20270203T1000Z#x")
        _meet(s, p2, TEAM, "2027-01-05", "upcoming")
        _meet(s, p2, TEAM, "2027-01-19", "skipped")
        _meet(s, p3, TEAM, "2027-01-12", "held")
        _meet(s, p3, TEAM, "2027-02-09", "held")
        for day in ("2027-01-05", "2027-01-12", "2027-01-19"):
            _meet(s, ids["p5"], TEAM, day, "held")
        _meet(s, ids["p6"], TEAM, "2027-01-05", "held")
        _meet(s, ids["p6"], TEAM, "2027-01-12", "skipped")
        for day in ("2027-01-05", "2027-01-12"):
            _meet(s, ids["p7"], OTHER_TEAM, day, "held")
        _prompt(s, free, p1, TEAM, "U0P1MENTEE", "done", 3)
        _prompt(s, free, p1, TEAM, "U0P1MENTOR", "done", 3)
        _prompt(s, free, p3, TEAM, "U0P3MENTEE", "expired")  # ignored
        _prompt(s, free, p3, TEAM, "U0P3MENTOR", "expired")  # ignored
        _prompt(s, free, p3, TEAM, "U0P3MENTEE", "done", 3)
        _prompt(s, free, p3, TEAM, "U0P3MENTOR", "stopped", 1)  # engaged, not finished
        _prompt(s, free, ids["p7"], OTHER_TEAM, "U0P7MENTEE", "done", 3)
    return ids


def test_report_numbers_in_slack(bot: Bot) -> None:
    seed(bot)
    report = command(bot, KAI, "report")
    for part in (
        "*Active* / 3",
        "*Paused* / 1",
        "*Completed* / 1",
        "*Ended* / 1",
        "*Meetings held* / 10 of 15 planned (67%)",
        "*Reflection responses* / 3 of 6 prompts (50%)",
        "*Pairs at risk (2)*",
        "• *Cleo* & *U0P2MENTOR*: no meeting recorded yet (Tue 5 Jan 2027) — contact "
        "@U0P2MENTEE, @U0P2MENTOR, @kai",
        "2 reflection prompts went unanswered",
    ):
        assert part in report, (part, report)
    assert "Ben" not in report  # on track: not listed
    assert SECRET_TEXT not in report and "U0P7" not in report
    overview = home_text(bot, open_home(bot, KAI))
    assert "Program overview" in overview and "10 of 15 planned (67%)" in overview


def test_report_csv_export(bot: Bot, db_url: str, tmp_path: Path, capsys) -> None:
    ids = seed(bot)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n[clock]\nstart = "2027-03-01T08:00:00Z"\n')
    out = tmp_path / "report.csv"
    assert main(["--config", str(config), "export", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Workspace {TEAM}:" in printed and "Meetings held: 10 of 15 planned (67%)" in printed
    assert "Wrote 7 pairs" in printed
    text = out.read_text()
    assert SECRET_TEXT not in text
    rows = {int(r["pair_id"]): r for r in csv.DictReader(text.splitlines())}
    assert len(rows) == 7
    p1, p2, p3 = rows[ids["p1"]], rows[ids["p2"]], rows[ids["p3"]]
    assert (p1["meetings_planned"], p1["meetings_held"], p1["at_risk"]) == ("6", "4", "no")
    assert p1["last_meeting_held"] == "2027-02-23T10:00:00+00:00"
    assert (p1["prompts_asked"], p1["prompts_answered"]) == ("2", "2")
    assert (p1["mentor_name"], p1["mentee_name"]) == ("Ada", "Ben")
    assert p2["at_risk"] == "yes" and p2["contact"] == f"U0P2MENTEE U0P2MENTOR {KAI}"
    assert p3["risk_reasons"] == "2 reflection prompts went unanswered"
    assert (p3["prompts_asked"], p3["prompts_answered"], p3["prompts_unanswered"]) == (
        "4",
        "1",
        "2",
    )
    assert rows[ids["p4"]]["status"] == "paused" and rows[ids["p4"]]["at_risk"] == "no"
    assert rows[ids["p7"]]["team_id"] == OTHER_TEAM
    only = tmp_path / "one.csv"
    assert main(["--config", str(config), "export", "--csv", str(only), "--team", TEAM]) == 0
    assert len(list(csv.DictReader(only.read_text().splitlines()))) == 6


def test_risk_rules() -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    first = datetime(2027, 2, 1, tzinfo=UTC)

    def check(
        cadence: str, days_since: int, *, status: str = "active", ignored: int = 0
    ) -> tuple[str, ...]:
        last = now - timedelta(days=days_since)
        return risks(
            status=status,
            cadence=cadence,
            first_meeting=first,
            last_held=last,
            ignored=ignored,
            now=now,
        )

    assert check("weekly", 14) == () and check("weekly", 15)
    assert check("biweekly", 28) == () and check("biweekly", 29)
    assert check("monthly", 60) == () and check("monthly", 61)
    assert check("weekly", 30, status="paused") == ()
    assert check("weekly", 1, ignored=2) == ("2 reflection prompts went unanswered",)
    assert check("weekly", 1, ignored=1) == ()
    never = risks(
        status="active", cadence="weekly", first_meeting=first, last_held=None, ignored=0, now=now
    )
    assert never == ("no meeting recorded yet (Mon 1 Feb 2027)",)
    future = risks(
        status="active",
        cadence="weekly",
        first_meeting=now + timedelta(days=3),
        last_held=None,
        ignored=0,
        now=now,
    )
    assert future == ()
