"""The report's numbers from aggregate queries (`program_totals`, what the admins' Home and
`/mentorship report` show) equal those of the whole report (`build_report`, every pair in
memory) on a seeded workspace with pairs in every status, meetings held and missed, prompts
answered and ignored, notes, action items and programs, in zones from UTC-12 to UTC+14 and
started on both sides of the at-risk cut-offs."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import people_key
from bot.reports.report import build_report
from bot.reports.totals import program_totals, risk_rule, totals_of
from bot.reports.view import overview_blocks, report_blocks
from storage.models import (
    Meeting,
    Milestone,
    Pair,
    Person,
    ReflectionPrompt,
)
from storage.notes_models import ActionItem, SessionNote
from storage.program_models import Program
from storage.report_totals import near_starts

TEAM, OTHER = "T0TOTALS01", "T0TOTALS02"
NOW = datetime(2027, 4, 1, 9, 30, tzinfo=UTC)
ZONES = ("UTC", "Etc/GMT+12", "Pacific/Kiritimati", "Europe/Berlin", "America/New_York")
MEETINGS = ("held", "held", "skipped", "upcoming", "rescheduled", "cancelled", "unknown")
PROMPTS = ("done", "done", "expired", "expired", "open", "stopped", "scheduled")


def _program(s: Session, team: str, name: str) -> int:
    program = Program(
        team_id=team, name=name, name_key=name.casefold(), tz="UTC", cadence="weekly",
        starts_on=date(2027, 1, 4), checkpoint_weeks=4, created_by="U0LEAD", created_at=NOW,
        updated_at=NOW,
    )  # fmt: skip
    s.add(program)
    s.flush()
    return program.id


def _pair(s: Session, rnd: random.Random, team: str, n: int, program_id: int | None) -> None:
    mentor, mentee = f"U0M{team[-2:]}{n:04d}", f"U0E{team[-2:]}{n:04d}"
    cadence = rnd.choice(("weekly", "biweekly", "monthly"))
    # Start dates on both sides of every cadence's cut-off (14, 28 and 60 days before NOW).
    start = NOW.date() - timedelta(days=rnd.choice((3, 13, 14, 15, 27, 28, 29, 59, 60, 61, 90)))
    pair = Pair(
        team_id=team, mentor_id=mentor, mentee_id=mentee, people_key=people_key(mentor, mentee),
        creator_id=rnd.choice((mentor, "U0CREATOR")), status=rnd.choice(
            ("active", "active", "active", "paused", "completed", "ended")
        ), start_date=start, end_date=start + timedelta(days=180), tz=rnd.choice(ZONES),
        cadence=cadence, meeting_time=time(rnd.randrange(24), rnd.choice((0, 30))),
        format="online", channels="chat", checkpoint_weeks=4, created_at=NOW, updated_at=NOW,
        program_id=program_id,
    )  # fmt: skip
    s.add(pair)
    s.flush()
    if rnd.random() < 0.7:
        s.add(Person(team_id=team, user_id=mentee, name=f"Mentee {n}", refreshed_at=NOW))
    meetings = []
    for k in range(rnd.randrange(5)):
        at = NOW - timedelta(days=rnd.randrange(-10, 70), hours=rnd.randrange(24))
        meeting = Meeting(
            team_id=team, pair_id=pair.id, occurrence_key=f"m{k}", scheduled_at=at,
            status=rnd.choice(MEETINGS),
        )  # fmt: skip
        s.add(meeting)
        meetings.append(meeting)
    s.flush()
    for meeting in meetings:
        if meeting.status == "held" and rnd.random() < 0.6:
            for visibility in rnd.sample(("shared", "private"), rnd.randint(1, 2)):
                s.add(SessionNote(
                    team_id=team, pair_id=pair.id, meeting_id=meeting.id, author_id=mentee,
                    visibility=visibility, text="private words", created_at=NOW,
                ))  # fmt: skip
        if rnd.random() < 0.5:
            s.add(ActionItem(
                team_id=team, pair_id=pair.id, meeting_id=meeting.id, created_by=mentee, slot=1,
                owner_role="mentee", text="Do it", status=rnd.choice(("open", "done", "dropped")),
                created_at=NOW, updated_at=NOW,
            ))  # fmt: skip
    for k in range(rnd.randrange(4)):
        milestone = Milestone(
            team_id=team, pair_id=pair.id, kind="checkpoint", index=k, due_date=start
        )
        s.add(milestone)
        s.flush()
        for user in (mentor, mentee):
            s.add(ReflectionPrompt(
                team_id=team, pair_id=pair.id, milestone_id=milestone.id, user_id=user,
                status=rnd.choice(PROMPTS), position=rnd.choice((0, 0, 1, 3)),
                asked_at=None if rnd.random() < 0.15 else NOW - timedelta(days=30),
            ))  # fmt: skip


def seed(sessions: sessionmaker[Session]) -> None:
    rnd = random.Random(7)
    with sessions.begin() as s:
        spring, autumn = _program(s, TEAM, "Spring"), _program(s, TEAM, "Autumn")
        gone = _program(s, TEAM, "Deleted later")
        other = _program(s, OTHER, "Elsewhere")
        for n in range(120):
            program_id = rnd.choice((None, None, spring, autumn, gone))
            _pair(s, rnd, TEAM, n, program_id)
        for n in range(20):
            _pair(s, rnd, OTHER, n, rnd.choice((None, other)))
        s.delete(s.get(Program, gone))  # its pairs now count as made by hand
        # Held exactly two weeks before NOW: on the cut-off, not past it.
        _pair(s, random.Random(1), TEAM, 999, None)
        edge = max(s.scalars(select(Pair).where(Pair.team_id == TEAM)), key=lambda p: p.id)
        edge.status, edge.cadence = "active", "weekly"
        s.add(Meeting(team_id=TEAM, pair_id=edge.id, occurrence_key="edge",
                      scheduled_at=NOW - timedelta(days=14), status="held"))  # fmt: skip


def test_aggregates_equal_the_whole_report(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    checked = 0
    for days in (0, 1, 2, 5, 13, 30):
        now = NOW + timedelta(days=days, hours=days * 5)
        with sessions() as s:
            report = build_report(s, TEAM, now)
            near = near_starts(s, TEAM, risk_rule(now))
            for limit in (1, 5, 15, 200):
                expected = totals_of(report, limit)
                assert program_totals(s, TEAM, now, limit) == expected, (days, limit)
            whole = totals_of(report)
            totals = program_totals(s, TEAM, now)
            assert overview_blocks(totals) == overview_blocks(report)
            assert report_blocks(totals) == report_blocks(report)
        # The seed reaches every number: a wrong count cannot hide behind a zero.
        for field in fields(whole):
            if field.name not in ("team_id", "generated_at", "at_risk"):
                assert getattr(whole, field.name), field.name
        assert all(whole.statuses) and len(whole.programs) == 3  # Spring, Autumn, by hand
        assert 0 < whole.at_risk_count < whole.count("active")
        checked += len(near)
    assert checked, "no pair started near a cut-off: the exact rule in Python went untested"
