"""A batch of nudges and follow-ups rendered in one read (`render_all`, as the dispatcher does)
reads the same as each rendered on its own (`render`), with far fewer queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from bot.app import Runtime, build_runtime
from bot.core.blocks import checked_message
from bot.core.clock import ManualClock
from bot.delivery.people import RefreshBudget
from bot.delivery.render import Job, Outcome, Rendered, Skip, render, render_all
from bot.standin import SlackStandIn
from storage.meetings import meetings_before
from storage.models import ActionItem, AgendaItem, Goal, Meeting, Pair, Person, Workspace
from tests.kit.workspace import KAI, LENA, MAYA, OMAR, START, TEAM, make_config

DAY = timedelta(days=1)


def _pair(pair_id: int, mentor: str, mentee: str, status: str = "active") -> Pair:
    return Pair(
        id=pair_id,
        team_id=TEAM,
        mentor_id=mentor,
        mentee_id=mentee,
        people_key=f"{pair_id}:{mentor}:{mentee}",
        creator_id=mentor,
        status=status,
        start_date=START.date() - timedelta(days=21),
        end_date=START.date() + timedelta(days=150),
        tz="Europe/Berlin",
        cadence="weekly",
        meeting_time=time(11, 0),
        format="online",
        channels="chat,calls",
        checkpoint_weeks=4,
        created_at=START - timedelta(days=21),
        updated_at=START - timedelta(days=21),
    )


def _item(item_id: int, meeting: int, slot: int, text: str, **kw: Any) -> ActionItem:
    values: dict[str, Any] = {
        "team_id": TEAM,
        "pair_id": 1,
        "meeting_id": meeting,
        "created_by": OMAR,
        "owner_role": "mentee",
        "due_date": None,
        "status": "open",
        "carried_count": 0,
        "created_at": START - timedelta(days=14) + item_id * timedelta(minutes=1),
        "updated_at": START - timedelta(days=14),
    }
    values.update(kw)
    return ActionItem(id=item_id, slot=slot, text=text, **values)


def _topic(topic_id: int, author: str, text: str, covered: int | None) -> AgendaItem:
    return AgendaItem(
        id=topic_id,
        team_id=TEAM,
        pair_id=1,
        author_id=author,
        text=text,
        text_key=f"k{topic_id}",
        created_at=START - timedelta(days=3) + topic_id * timedelta(minutes=1),
        covered_meeting_id=covered,
    )


@pytest.fixture
def runtime(standin: SlackStandIn, engine: Engine, db_url: str) -> Iterator[Runtime]:
    """Two active pairs and a paused one: meetings held and to come, goals, action items and
    agenda topics (some shown on the next session's agenda, some not), everyone cached."""
    rt = build_runtime(make_config(standin.api_url, db_url), clock=ManualClock(START), check=False)
    next_at = START + DAY
    with rt.services.sessions.begin() as s:
        s.add_all([_pair(1, OMAR, MAYA), _pair(2, LENA, KAI), _pair(3, KAI, OMAR, "paused")])
        s.flush()
        for user, name, tz in ((OMAR, "Omar", "Europe/Berlin"), (MAYA, "Maya", None)):
            s.add(Person(team_id=TEAM, user_id=user, name=name, tz=tz, refreshed_at=START))
        for user, name in ((LENA, "Lena"), (KAI, "Kai")):
            s.add(
                Person(team_id=TEAM, user_id=user, name=name, tz="Asia/Tokyo", refreshed_at=START)
            )
        s.add_all(
            [
                Goal(team_id=TEAM, pair_id=1, owner="mentee", text="Lead a design review"),
                Goal(team_id=TEAM, pair_id=1, owner="mentor", text="Give *clear* feedback"),
                Goal(team_id=TEAM, pair_id=1, owner="shared", text="A vision"),
            ]
        )
        meetings = [
            (10, 1, next_at - 14 * DAY, "held"),
            (11, 1, next_at - 7 * DAY, "held"),
            (12, 1, next_at, "upcoming"),
            (13, 1, next_at + 7 * DAY, "upcoming"),
            (20, 2, next_at + DAY, "upcoming"),
            (30, 3, next_at, "upcoming"),
        ]
        for meeting_id, pair_id, at, status in meetings:
            key = at.strftime("%Y%m%dT%H%MZ")
            s.add(
                Meeting(
                    id=meeting_id,
                    team_id=TEAM,
                    pair_id=pair_id,
                    occurrence_key=key,
                    scheduled_at=at,
                    status=status,
                )
            )
        s.flush()
        s.add_all(
            [
                _item(1, 10, 1, "Draft the review agenda", due_date=date(2027, 3, 5)),
                _item(2, 10, 2, "Read the style guide", owner_role="mentor", carried_count=1),
                _item(
                    3,
                    11,
                    1,
                    "Book a room",
                    status="done",
                    last_action="done",
                    acted_meeting_id=12,
                    acted_by=MAYA,
                    acted_at=START,
                ),
                _item(4, 11, 2, "Old idea", status="dropped", acted_meeting_id=11),
                _topic(1, MAYA, "How to say no", None),
                _topic(2, OMAR, "Covered last time", 11),
                _topic(3, OMAR, "Promotion case", 12),
            ]
        )
    yield rt
    rt.engine.dispose()


def _jobs() -> list[Job]:
    def job(job_id: int, kind: str, pair_id: int, to: str, meeting: int, days: int) -> Job:
        at = START + days * DAY
        payload = {"meeting_id": meeting, "scheduled_at": at.isoformat()}
        return Job(job_id, TEAM, kind, pair_id, to, payload, START)

    return [
        job(1, "nudge", 1, MAYA, 12, 1),
        job(2, "nudge", 1, OMAR, 12, 1),
        job(3, "followup", 1, MAYA, 12, 1),
        job(4, "nudge", 1, OMAR, 13, 8),
        job(5, "nudge", 2, KAI, 20, 2),
        job(6, "followup", 2, LENA, 20, 2),
        job(7, "nudge", 3, KAI, 30, 1),  # paused
        job(8, "nudge", 2, LENA, 20, 3),  # moved
        job(9, "nudge", 1, MAYA, 99, 1),  # gone
    ]


def _shown(outcome: Outcome | Rendered | Skip) -> Any:
    if isinstance(outcome, Rendered):
        return outcome.text, checked_message(outcome.text, outcome.blocks)
    return outcome


def _counting(engine: Engine) -> list[str]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def test_a_batch_reads_the_same_messages_as_single_renders(runtime: Runtime) -> None:
    services, budget = runtime.services, RefreshBudget()
    selects = _counting(runtime.engine)
    alone = {job.id: _shown(render(services, job, budget)) for job in _jobs()}
    singly, selects[:] = len(selects), []
    together = {i: _shown(o) for i, o in render_all(services, _jobs(), budget).items()}
    assert together == alone
    # Not vacuous: the agenda, the focus and the skips are in what was compared.
    first = str(alone[1])
    assert "How to say no" in first and "Promotion case" in first and "Book a room" in first
    assert "Covered last time" not in first and "Old idea" not in first
    assert "Draft the review agenda" in first and "Read the style guide" in first
    # The focus follows the meetings before each one: two before the first, three before the next.
    assert "Lead a design review" in first and "clear" in str(alone[4])
    assert alone[1] != alone[2] and alone[2] != alone[4]
    assert isinstance(alone[7], Skip) and "paused" in alone[7].reason
    assert isinstance(alone[8], Skip) and alone[8].reason == "meeting moved"
    assert isinstance(alone[9], Skip) and alone[9].reason == "meeting gone"
    # One read for the batch: a few IN-queries, not about nine SELECTs a message.
    assert len(selects) <= 12 < singly


def test_earlier_and_held_meetings_are_counted_per_meeting_in_one_query(
    runtime: Runtime,
) -> None:
    with runtime.services.sessions() as s:
        assert meetings_before(s, TEAM, [12, 13, 20, 10]) == {
            12: (2, 2),
            13: (3, 2),
            20: (0, 0),
            10: (0, 0),
        }
        assert meetings_before(s, "T0OTHER", [12]) == {12: (2, 0)}


def test_a_batch_skips_what_a_single_render_skips_when_the_workspace_stopped(
    runtime: Runtime,
) -> None:
    with runtime.services.sessions.begin() as s:
        s.add(Workspace(team_id=TEAM, status="uninstalled"))
    outcomes = render_all(runtime.services, _jobs(), RefreshBudget())
    assert all(isinstance(o, Skip) and "inactive" in o.reason for o in outcomes.values())
