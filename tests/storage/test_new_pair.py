"""Storing and first planning a new pair without the unit of work: what `create_pair` hands
back is what the database holds, the first planning happens once, prompts are made once."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import ManualClock
from bot.domain.plan import PersonFacts, Plan, validate_plan
from bot.pairs.planner import plan_new_pair, plan_new_pairs, plan_tick
from bot.people.lookup import Looked
from bot.plans.start import store_plan
from bot.plans.summary import summary_keys
from bot.reflections.milestones import milestone_instant, plan_milestones
from storage.db import ROWS_AT_ONCE
from storage.keys import prompt as prompt_key
from storage.models import Delivery, Goal, Meeting, Milestone, Pair, Person, ReflectionPrompt
from storage.pairs import NewPair, create_pair, get_pair
from storage.people import get_person, save_people
from storage.reflections import ensure_prompts
from tests.kit.cohorts import services_for
from tests.kit.plans import plan_form
from tests.kit.workspace import START, TEAM

NOW = START
PEOPLE = {
    "UA": PersonFacts(user_id="UA", name="Omar", tz="Europe/Berlin"),
    "UB": PersonFacts(user_id="UB", name="Maya", tz="America/New_York"),
}
FORM = plan_form(mentee_goals="Lead a design review\nLearn Rust async")


def store(sessions: sessionmaker[Session], **extra: object) -> NewPair:
    plan, errors = validate_plan(FORM, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        return create_pair(session, TEAM, "UA", plan, NOW, **extra)  # type: ignore[arg-type]


def test_the_pair_handed_back_is_the_stored_one(sessions: sessionmaker[Session]) -> None:
    pair = store(sessions, program_id=7, checkpoint_questions=["What went well?"])
    with sessions() as session:
        loaded = session.get(Pair, pair.id)
        assert loaded is not None
        for column in (c.key for c in Pair.__table__.columns):
            assert getattr(pair, column) == getattr(loaded, column), column
        assert [(g.id, g.owner, g.text, g.position, g.status) for g in pair.goals] == [
            (g.id, g.owner, g.text, g.position, g.status) for g in loaded.goals
        ]
        assert [(m.id, m.kind, m.index, m.due_date) for m in pair.milestones] == [
            (m.id, m.kind, m.index, m.due_date) for m in loaded.milestones
        ]
    assert [g.text for g in pair.goals] == [
        "Lead a design review",
        "Learn Rust async",
        "Practise feedback",
        "Grow into a tech lead",
    ]
    assert pair.milestones[0].kind == "kickoff" and pair.milestones[-1].kind == "final_review"


def test_a_long_plan_with_many_milestones_hands_back_each_ones_id(
    sessions: sessionmaker[Session],
) -> None:
    """Three years with a checkpoint every week: its milestones take several INSERTs on SQLite
    (`ROWS_AT_ONCE` rows each), and each handed back carries the id its row got."""
    goals = "\n".join(f"Goal {n}" for n in range(10))
    first = FORM.first_date
    assert first is not None
    form = plan_form(
        mentee_goals=goals,
        checkpoint_weeks=1,
        duration_months=None,
        end_date=first + timedelta(days=3 * 365 - 10),
    )
    plan, errors = validate_plan(form, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        pair = create_pair(session, TEAM, "UA", plan, NOW)
    assert len(pair.milestones) > 3 * ROWS_AT_ONCE
    with sessions() as session:
        loaded = session.get(Pair, pair.id)
        assert loaded is not None
        assert [(g.id, g.owner, g.text, g.position) for g in pair.goals] == [
            (g.id, g.owner, g.text, g.position) for g in loaded.goals
        ]
        assert [(m.id, m.kind, m.index, m.due_date) for m in pair.milestones] == [
            (m.id, m.kind, m.index, m.due_date) for m in loaded.milestones
        ]


def test_a_second_open_pair_of_the_same_people_is_refused(sessions: sessionmaker[Session]) -> None:
    store(sessions)
    with pytest.raises(IntegrityError):
        store(sessions)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Pair)) == 1
        assert session.scalar(select(func.count()).select_from(Goal)) == 4


def test_first_planning_happens_once(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    services = services_for(sessions, db_url, clock)
    pair = store(sessions)
    zones = {"UA": "Europe/Berlin", "UB": "America/New_York"}
    with sessions.begin() as session:
        assert plan_new_pair(services, session, pair, zones) is True
    with sessions() as session:
        rows = session.scalar(select(func.count()).select_from(Delivery))
        meetings = session.scalar(select(func.count()).select_from(Meeting))
        prompts = session.scalars(select(ReflectionPrompt)).all()
        stored = session.get(Pair, pair.id)
        assert stored is not None and stored.planned_until is not None
    assert rows and meetings
    kickoff = pair.milestones[0].id
    assert {(p.milestone_id, p.user_id) for p in prompts} == {(kickoff, "UA"), (kickoff, "UB")}
    with sessions.begin() as session:  # a second call (or the scheduler's tick) does nothing
        assert plan_new_pair(services, session, pair, zones) is False
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == rows


def test_prompts_are_made_once(sessions: sessionmaker[Session]) -> None:
    pair = store(sessions)
    m1, m2 = pair.milestones[0].id, pair.milestones[1].id
    with sessions.begin() as session:
        first = ensure_prompts(session, TEAM, pair.id, [(m1, "UA"), (m1, "UB")])
    with sessions.begin() as session:
        again = ensure_prompts(session, TEAM, pair.id, [(m1, "UA"), (m2, "UA"), (m1, "UA")])
    assert again[(m1, "UA")] == first[(m1, "UA")]
    assert set(again) == {(m1, "UA"), (m1, "UB"), (m2, "UA")}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReflectionPrompt)) == 3
        assert session.scalar(select(func.count()).select_from(Milestone)) == len(pair.milestones)


def test_people_are_saved_in_one_statement_and_keep_their_dm_channel(
    sessions: sessionmaker[Session],
) -> None:
    facts = {"name": "Omar", "tz": "Europe/Berlin", "deleted": False, "is_bot": False}
    with sessions.begin() as session:
        save_people(session, TEAM, [{"user_id": "UA", "is_admin": False, **facts}], NOW)
    with sessions.begin() as session:
        person = get_person(session, TEAM, "UA")
        assert person is not None
        person.dm_channel_id = "D0OMAR"
    later = NOW + timedelta(hours=1)
    changed = {**facts, "name": "Omar K", "tz": "Asia/Tokyo", "deleted": True}
    with sessions.begin() as session:
        save_people(
            session,
            TEAM,
            [
                {"user_id": "UA", "is_admin": True, **changed},
                {"user_id": "UB", **facts, "is_admin": False},
            ],
            later,
        )
    with sessions() as session:
        a, b = get_person(session, TEAM, "UA"), get_person(session, TEAM, "UB")
        assert a is not None and b is not None
        assert (a.name, a.tz, a.deleted, a.is_admin, a.dm_channel_id) == (
            "Omar K",
            "Asia/Tokyo",
            True,
            True,
            "D0OMAR",
        )
        assert a.refreshed_at == later and b.name == "Omar"


def test_many_people_are_saved_once_each_with_what_was_given_last(
    sessions: sessionmaker[Session],
) -> None:
    """Any number of people; someone given twice is saved once, with the facts given last."""
    facts = {"tz": "Europe/Berlin", "deleted": False, "is_bot": False, "is_admin": False}
    given = [{"user_id": f"U{i}", "name": f"n{i}", **facts} for i in range(300)]
    given.append({**given[1], "name": "n1 again", "tz": None})
    with sessions.begin() as session:
        save_people(session, TEAM, given, NOW)
    with sessions() as session:
        saved = {p.user_id: (p.name, p.tz, p.refreshed_at) for p in session.scalars(select(Person))}
    assert len(saved) == 300
    assert saved["U1"] == ("n1 again", None, NOW) and saved["U299"] == (
        "n299",
        "Europe/Berlin",
        NOW,
    )


def test_first_planning_makes_what_the_scheduler_would(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """The first planning (meetings from the INSERT, zones given) makes the same rows as the
    scheduler's planning of a never-planned pair (meetings and zones read back)."""
    services = services_for(sessions, db_url, clock)
    fresh = store(sessions)
    with sessions.begin() as session:  # the people cache the scheduler reads zones from
        save_people(
            session,
            TEAM,
            [
                {
                    "user_id": u,
                    "name": u,
                    "tz": tz,
                    "deleted": False,
                    "is_bot": False,
                    "is_admin": False,
                }
                for u, tz in (("UA", "Europe/Berlin"), ("UB", "America/New_York"))
            ],
            START,
        )
    with sessions.begin() as session:
        plan_new_pair(services, session, fresh, {"UA": "Europe/Berlin", "UB": "America/New_York"})
    with sessions() as session:
        first = sorted(
            (d.kind, d.recipient_id, d.due_at, d.expires_at)
            for d in session.scalars(select(Delivery).where(Delivery.pair_id == fresh.id))
        )
    with sessions.begin() as session:  # forget the planning, as an edit does, and plan again
        session.execute(delete(Delivery))
        session.execute(delete(ReflectionPrompt))
        session.execute(delete(Meeting))
        stored = session.get(Pair, fresh.id)
        assert stored is not None
        stored.planned_until = None
    plan_tick(services)
    with sessions() as session:
        again = sorted(
            (d.kind, d.recipient_id, d.due_at, d.expires_at)
            for d in session.scalars(select(Delivery).where(Delivery.pair_id == fresh.id))
        )
    assert first and first == again


def test_the_new_pair_is_values_and_a_change_goes_through_the_loaded_pair(
    sessions: sessionmaker[Session],
) -> None:
    plan, errors = validate_plan(FORM, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        pair = create_pair(session, TEAM, "UA", plan, NOW)
        with pytest.raises(FrozenInstanceError):
            pair.status = "paused"  # type: ignore[misc]
        loaded = get_pair(session, TEAM, pair.id)
        assert loaded is not None and [g.id for g in loaded.goals] == [g.id for g in pair.goals]
        loaded.status = "paused"
        loaded.goals[0].status = "done"
    with sessions() as session:
        stored = session.get(Pair, pair.id)
        assert stored is not None and stored.status == "paused"
        assert stored.goals[0].status == "done"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Europe/Berlin", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("hours", [0, 10, 20, 22, 30, 40])
def test_milestones_near_the_horizon_are_planned_in_every_zone(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock, zone: str, hours: int
) -> None:
    """Weekly checkpoints: those due by the horizon in a reader's zone are planned, however
    far east or west it is, and those later are not (the planner skips milestones dated two
    days past the horizon without working out their instants)."""
    services = services_for(sessions, db_url, clock)
    people = {u: PersonFacts(user_id=u, name=u, tz=zone) for u in ("UA", "UB")}
    form = plan_form(tz=zone, checkpoint_weeks=1, duration_months=3)
    plan, errors = validate_plan(form, now=NOW, people=people, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:
        pair = create_pair(session, TEAM, "UA", plan, NOW)
    # From the day before a checkpoint's date: in Kiritimati (UTC+14) it is due at 20:00 UTC.
    day_before = pair.milestones[2].due_date - timedelta(days=1)
    horizon = datetime.combine(day_before, time(), UTC) + timedelta(hours=hours)
    zones = {"UA": zone, "UB": zone}
    expected = {
        (m.id, u)
        for m in pair.milestones
        for u in zones
        if milestone_instant(pair, m, zone) <= horizon
    }
    with sessions.begin() as session:
        rows = plan_milestones(session, services, pair, zones, NOW, horizon)
        prompts = {
            (p.milestone_id, p.user_id): p.id for p in session.scalars(select(ReflectionPrompt))
        }
    planned = {
        key for key, i in prompts.items() if any(r.occurrence_key == prompt_key(i) for r in rows)
    }
    assert planned == expected and len(expected) >= 2


def test_a_submitted_plan_is_stored_whole(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """The people's facts Slack gave (a DM channel already known is kept), the pair with its
    goals and milestones, and both summaries queued, mentee first: one statement on
    PostgreSQL, one transaction on SQLite, the same rows."""
    services = services_for(sessions, db_url, clock)
    with sessions.begin() as session:
        save_people(session, TEAM, [_facts("UA", "Omar (old)")], NOW - timedelta(days=3))
        person = get_person(session, TEAM, "UA")
        assert person is not None
        person.dm_channel_id = "D0OMAR"
    asked = NOW - timedelta(seconds=2)
    pair = store_plan(services, TEAM, "UA", _plan(), _looked(asked))
    with sessions() as session:
        loaded = session.get(Pair, pair.id)
        assert loaded is not None
        for column in (c.key for c in Pair.__table__.columns):
            assert getattr(pair, column) == getattr(loaded, column), column
        assert [(g.id, g.text) for g in pair.goals] == [(g.id, g.text) for g in loaded.goals]
        assert [(m.id, m.kind, m.index) for m in pair.milestones] == [
            (m.id, m.kind, m.index) for m in loaded.milestones
        ]
        people = {p.user_id: p for p in session.scalars(select(Person))}
        queued = session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert (people["UA"].name, people["UA"].dm_channel_id, people["UA"].refreshed_at) == (
        "Omar",
        "D0OMAR",
        asked,
    )
    assert (people["UB"].name, people["UB"].tz, people["UB"].refreshed_at) == (
        "Maya",
        "America/New_York",
        asked,
    )
    assert [
        (d.kind, d.recipient_id, d.occurrence_key, d.pair_id, d.due_at, d.status, d.attempts)
        for d in queued
    ] == [
        ("plan_summary", user, key, pair.id, NOW, "pending", 0)
        for user, key in summary_keys(pair).items()
    ]
    assert [d.recipient_id for d in queued] == [pair.mentee_id, pair.mentor_id]
    assert all(d.payload == {} and d.created_at == NOW for d in queued)


def test_a_refused_plan_stores_nothing(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """Two people who already share an open mentorship: IntegrityError, and nothing of the
    second submission is stored (not the people's newer facts, not its summaries)."""
    services = services_for(sessions, db_url, clock)
    store_plan(services, TEAM, "UA", _plan(), _looked(NOW))
    with pytest.raises(IntegrityError):
        store_plan(services, TEAM, "UA", _plan(), _looked(NOW, name="Omar K"))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Pair)) == 1
        assert session.scalar(select(func.count()).select_from(Goal)) == 4
        assert session.scalar(select(func.count()).select_from(Delivery)) == 2
        person = get_person(session, TEAM, "UA")
        assert person is not None and person.name == "Omar"


def _facts(user_id: str, name: str, tz: str = "Europe/Berlin") -> dict[str, object]:
    return {
        "user_id": user_id,
        "name": name,
        "tz": tz,
        "deleted": False,
        "is_bot": False,
        "is_admin": False,
    }


def _plan() -> Plan:
    plan, errors = validate_plan(FORM, now=NOW, people=PEOPLE, open_pair_exists=False)
    assert plan is not None, errors
    return plan


def _looked(at: datetime, name: str = "Omar") -> Looked:
    fetched = (replace(PEOPLE["UA"], name=name), PEOPLE["UB"])
    return Looked(facts={f.user_id: f for f in fetched}, fetched=fetched, at=at)


def test_a_first_planning_that_lost_its_claim_writes_nothing(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """No longer active, or planned meanwhile: no meeting, prompt or outbox row is made (on
    PostgreSQL the inserts are in the claim's statement, and happen only when it claims)."""
    services = services_for(sessions, db_url, clock)
    zones = {"UA": "Europe/Berlin", "UB": "America/New_York"}
    pair = store(sessions)
    for status, plans in (("paused", False), ("active", True), ("active", False)):
        with sessions.begin() as session:
            stored = session.get(Pair, pair.id)
            assert stored is not None
            stored.status = status
        before = _counts(sessions)
        with sessions.begin() as session:
            assert plan_new_pair(services, session, pair, zones) is plans
        assert (_counts(sessions) == before) is not plans, status


def test_a_first_planning_uses_the_prompts_that_exist(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """A kickoff prompt made before the first planning is not made again: its id is read, and
    the prompt's outbox rows name it."""
    services = services_for(sessions, db_url, clock)
    pair = store(sessions)
    kickoff = pair.milestones[0].id
    with sessions.begin() as session:
        made = ensure_prompts(session, TEAM, pair.id, [(kickoff, "UB")])
    with sessions.begin() as session:
        plan_new_pair(services, session, pair, {"UA": "Europe/Berlin", "UB": "Europe/Berlin"})
    with sessions() as session:
        prompts = {
            (p.milestone_id, p.user_id): p.id for p in session.scalars(select(ReflectionPrompt))
        }
        keys = set(session.scalars(select(Delivery.occurrence_key)))
    assert prompts[(kickoff, "UB")] == made[(kickoff, "UB")] and len(prompts) == 2
    assert {prompt_key(i) for i in prompts.values()} <= keys


def _counts(sessions: sessionmaker[Session]) -> tuple[int, ...]:
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Meeting, ReflectionPrompt, Delivery)
        )


def test_a_plan_of_people_all_cached_is_stored(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """Nobody asked of Slack (everyone in the cache): the pair and its summaries, no facts."""
    services = services_for(sessions, db_url, clock)
    looked = Looked(facts=dict(PEOPLE), fetched=(), at=NOW)
    pair = store_plan(services, TEAM, "UA", _plan(), looked)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert set(session.scalars(select(Delivery.occurrence_key))) == set(
            summary_keys(pair).values()
        )


def _store_between(sessions: sessionmaker[Session], mentor: str, mentee: str) -> NewPair:
    people = {
        mentor: PersonFacts(user_id=mentor, name=mentor, tz="Europe/Berlin"),
        mentee: PersonFacts(user_id=mentee, name=mentee, tz="America/New_York"),
    }
    form = replace(FORM, mentor_id=mentor, mentee_id=mentee)
    plan, errors = validate_plan(form, now=NOW, people=people, open_pair_exists=False)
    assert plan is not None, errors
    with sessions.begin() as session:  # the people cache, where a planning reads zones from
        save_people(
            session,
            TEAM,
            [
                {"user_id": f.user_id, "name": f.name, "tz": f.tz, "deleted": False}
                | {"is_bot": False, "is_admin": False}
                for f in people.values()
            ],
            NOW,
        )
        return create_pair(session, TEAM, mentor, plan, NOW)


def _planned_rows(sessions: sessionmaker[Session], pair_id: int) -> list[str]:
    """What a planning made for a pair, its people named by their part."""
    with sessions() as session:
        pair = session.get(Pair, pair_id)
        assert pair is not None
        part = {pair.mentor_id: "mentor", pair.mentee_id: "mentee"}
        deliveries = [
            (d.kind, part[d.recipient_id], d.due_at, d.expires_at)
            for d in session.scalars(select(Delivery).where(Delivery.pair_id == pair_id))
        ]
        meetings = [
            m.scheduled_at
            for m in session.scalars(select(Meeting).where(Meeting.pair_id == pair_id))
        ]
        prompts = [
            (p.milestone_id is not None, part[p.user_id])
            for p in session.scalars(
                select(ReflectionPrompt).where(ReflectionPrompt.pair_id == pair_id)
            )
        ]
    return sorted(map(str, deliveries)) + sorted(map(str, meetings)) + sorted(map(str, prompts))


def test_new_pairs_planned_together_get_what_each_gets_alone(
    sessions: sessionmaker[Session], db_url: str, clock: ManualClock
) -> None:
    """Several new pairs in one planning (the first weeks' planner's batch): each gets the
    meetings, prompts and outbox rows it gets when planned alone, and one that lost its claim
    (planned meanwhile) gets nothing more, without keeping the others from being planned."""
    services = services_for(sessions, db_url, clock)
    alone = _store_between(sessions, "UM0", "UE0")
    with sessions.begin() as session:
        assert plan_new_pairs(services, session, [(alone, None)]) == [True]
    expected = _planned_rows(sessions, alone.id)
    assert expected
    pairs = [_store_between(sessions, f"UM{i}", f"UE{i}") for i in range(1, 4)]
    with sessions.begin() as session:  # the second was planned meanwhile
        assert plan_new_pair(services, session, pairs[1], None) is True
    before = _planned_rows(sessions, pairs[1].id)
    zones = {"UM3": "Europe/Berlin", "UE3": "America/New_York"}  # given: nothing read
    with sessions.begin() as session:
        planned = plan_new_pairs(
            services, session, [(pairs[0], None), (pairs[1], None), (pairs[2], zones)]
        )
    assert planned == [True, False, True]
    assert _planned_rows(sessions, pairs[1].id) == before
    for pair in (pairs[0], pairs[2]):
        assert _planned_rows(sessions, pair.id) == expected
