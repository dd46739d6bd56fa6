"""Queries on pairs, goals and milestones. Each takes a Session; callers own the transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    String,
    Text,
    bindparam,
    func,
    insert,
    literal,
    select,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, selectinload

from bot.domain.plan import Plan, people_key
from bot.domain.schedule import Cadence, MeetingRule, MonthlyMode, milestone_plan
from storage.db import core_connection, driver_statement, inserted_rows
from storage.models import (
    OPEN_STATUSES,
    Goal,
    GoalOwner,
    Milestone,
    Pair,
    PairPeople,
    PairStatus,
)


def open_pair_exists(session: Session, team_id: str, a: str, b: str) -> bool:
    """True when the two people already share an active or paused mentorship."""
    stmt = select(Pair.id).where(
        Pair.team_id == team_id,
        Pair.people_key == people_key(a, b),
        Pair.status.in_(OPEN_STATUSES),
    )
    return session.execute(stmt.limit(1)).first() is not None


@dataclass(frozen=True)
class NewGoal:
    """A goal as `create_pair` stored it."""

    id: int
    team_id: str
    pair_id: int
    owner: str
    text: str
    position: int
    status: str = "open"


@dataclass(frozen=True)
class NewMilestone:
    """A milestone as `create_pair` stored it (none is completed or announced yet)."""

    id: int
    team_id: str
    pair_id: int
    kind: str
    index: int
    due_date: date
    completed_at: datetime | None = None
    announced_at: datetime | None = None


@dataclass(frozen=True)
class NewPair(PairPeople):
    """A pair as `create_pair` stored it, with its goals and milestones: the columns of `Pair`
    as values, read by the first planning and the plan summaries. To change a pair, load it."""

    id: int
    team_id: str
    mentor_id: str
    mentee_id: str
    people_key: str
    creator_id: str
    status: str
    start_date: date
    end_date: date
    tz: str
    cadence: str
    monthly_mode: str
    meeting_time: time
    meeting_minutes: int
    format: str
    channels: str
    checkpoint_weeks: int
    announce_channel: str | None
    announce: bool
    paused_until: date | None
    schedule_version: int
    planned_until: datetime | None
    created_at: datetime
    updated_at: datetime
    program_id: int | None
    checkpoint_questions: list[str] | None
    goals: tuple[NewGoal, ...]
    milestones: tuple[NewMilestone, ...]


# A pair as the planner and the plan summaries read it: loaded, or as `create_pair` stored it.
AnyPair = Pair | NewPair
AnyMilestone = Milestone | NewMilestone


def create_pair(
    session: Session,
    team_id: str,
    creator_id: str,
    plan: Plan,
    now: datetime,
    *,
    program_id: int | None = None,
    checkpoint_questions: list[str] | None = None,
) -> NewPair:
    """Store a validated plan: the pair, its goals and its milestones, in three INSERTs on
    SQLite and one statement on PostgreSQL (`insert_all_statement`); no unit of work: a new
    pair is a dozen rows that nothing else holds yet.

    Returns what was stored as values (goals and milestones with their ids, no SELECT): ORM
    objects made as if loaded cost a new plan's submission about a millisecond of CPU in
    `serve`, for a pair that the request only reads. To change it, load it (`get_pair`).
    """
    rows = new_pair_rows(
        team_id,
        creator_id,
        plan,
        now,
        program_id=program_id,
        checkpoint_questions=checkpoint_questions,
    )
    stored, goals, milestones = rows
    conn = core_connection(session)
    if conn.dialect.name == "postgresql":
        return with_ids(
            rows, driver_statement(conn, _INSERT_ALL).first(conn, insert_all_params(rows))
        )
    row = driver_statement(conn, _INSERT_PAIR, keys=_PAIR_KEYS).first(conn, _columns(stored))
    assert row is not None  # RETURNING gives the new row's id (a refused insert raises)
    pair_id = int(row[0])
    owned = {"pair_id": pair_id}
    goal_ids = _inserted(conn, Goal, [{**_columns(g), **owned} for g in goals])
    milestone_ids = _inserted(conn, Milestone, [{**_columns(m), **owned} for m in milestones])
    return _stored(rows, pair_id, goal_ids, milestone_ids)


# A new pair before it is stored: the pair (id 0), its goals and its milestones.
NewRows = tuple[NewPair, list[NewGoal], list[NewMilestone]]


def new_pair_rows(
    team_id: str,
    creator_id: str,
    plan: Plan,
    now: datetime,
    *,
    program_id: int | None = None,
    checkpoint_questions: list[str] | None = None,
) -> NewRows:
    """What `create_pair` stores for a validated plan, before it has ids."""
    stored = NewPair(
        id=0,
        team_id=team_id,
        mentor_id=plan.mentor_id,
        mentee_id=plan.mentee_id,
        people_key=people_key(plan.mentor_id, plan.mentee_id),
        creator_id=creator_id,
        status=PairStatus.ACTIVE.value,
        start_date=plan.first_date,
        end_date=plan.end_date,
        tz=plan.tz,
        cadence=plan.cadence,
        monthly_mode=plan.monthly_mode,
        meeting_time=plan.meeting_time,
        meeting_minutes=plan.meeting_minutes,
        format=plan.format,
        channels=",".join(plan.channels),
        checkpoint_weeks=plan.checkpoint_weeks,
        announce_channel=plan.announce_channel,
        announce=plan.announce,
        paused_until=None,
        schedule_version=1,
        planned_until=None,
        created_at=now,
        updated_at=now,
        program_id=program_id,
        checkpoint_questions=checkpoint_questions,
        goals=(),
        milestones=(),
    )
    owners = [(GoalOwner.MENTEE, text) for text in plan.mentee_goals]
    owners += [(GoalOwner.MENTOR, text) for text in plan.mentor_goals]
    owners.append((GoalOwner.SHARED, plan.vision))
    goals = [NewGoal(0, team_id, 0, o.value, t, i) for i, (o, t) in enumerate(owners)]
    milestones = [
        NewMilestone(0, team_id, 0, m.kind.value, m.index, m.due_date)
        for m in milestone_plan(plan.first_date, plan.end_date, plan.checkpoint_weeks)
    ]
    return stored, goals, milestones


def _stored(rows: NewRows, pair_id: int, goal_ids: list[int], milestone_ids: list[int]) -> NewPair:
    stored, goals, milestones = rows
    return replace(
        stored,
        id=pair_id,
        goals=tuple(
            replace(g, id=i, pair_id=pair_id) for g, i in zip(goals, goal_ids, strict=True)
        ),
        milestones=tuple(
            replace(m, id=i, pair_id=pair_id)
            for m, i in zip(milestones, milestone_ids, strict=True)
        ),
    )


def _columns(stored: NewPair | NewGoal | NewMilestone) -> dict[str, Any]:
    """The column values to insert (all but the id, and a pair's goals and milestones)."""
    return {
        f.name: getattr(stored, f.name)
        for f in fields(stored)
        if f.name not in ("id", "goals", "milestones")
    }


_INSERT_PAIR = insert(Pair).returning(Pair.id)


def insert_all_params(rows: NewRows) -> dict[str, Any]:
    """PostgreSQL: the parameters of `insert_all_statement` for a new pair's rows."""
    pair, goals, milestones = rows
    return {
        **{f"p_{key}": value for key, value in _columns(pair).items()},
        "g_owner": [g.owner for g in goals],
        "g_text": [g.text for g in goals],
        "g_position": [g.position for g in goals],
        "m_kind": [m.kind for m in milestones],
        "m_index": [m.index for m in milestones],
        "m_due_date": [m.due_date for m in milestones],
    }


def with_ids(rows: NewRows, row: tuple[Any, ...] | None) -> NewPair:
    """The new pair as stored, from `insert_all_statement`'s row (the ids of each row)."""
    assert row is not None  # the pair's row (a refused insert raises)
    _, goals, milestones = rows
    pair_id, goal_ids, positions, milestone_ids, kinds, indexes = row[:6]
    # RETURNING gives no order: matched by what is unique within a pair, as `_inserted` does
    by_position = dict(zip(positions or (), goal_ids or (), strict=True))
    by_key = dict(
        zip(zip(kinds or (), indexes or (), strict=True), milestone_ids or (), strict=True)
    )
    return _stored(
        rows,
        int(pair_id),
        [int(by_position[g.position]) for g in goals],
        [int(by_key[(m.kind, m.index)]) for m in milestones],
    )


def insert_all_statement(with_pair: Callable[[Any], Sequence[Any]] = lambda _: ()) -> Any:
    """WITH pair AS (INSERT … RETURNING id), goals AS (INSERT … SELECT … FROM pair,
    unnest(the goals' columns as arrays) RETURNING id, position), milestones AS (the same)
    SELECT the pair's id and each CTE's ids and keys as arrays: one statement whatever the
    number of goals and milestones, compiled once (PostgreSQL). Three statements were three
    round trips before a submission's answer.

    `with_pair` gives more CTEs to run in the same statement, from the new pair's (its `id`
    and `team_id` columns); PostgreSQL runs a data-modifying CTE whether or not it is read."""
    new_pair = (
        insert(Pair)
        .values({key: bindparam(f"p_{key}") for key in _PAIR_KEYS})
        .returning(Pair.id, Pair.team_id)
        .cte("new_pair")
    )
    new_goals = insert_from_arrays(
        new_pair,
        Goal,
        "g",
        {"owner": String, "text": Text, "position": Integer},
        {"status": "open"},
        (Goal.id, Goal.position),
    )
    new_milestones = insert_from_arrays(
        new_pair,
        Milestone,
        "m",
        {"kind": String, "index": Integer, "due_date": Date},
        {},
        (Milestone.id, Milestone.kind, Milestone.index),
    )
    goal_ids = select(
        func.array_agg(new_goals.c.id).label("ids"),
        func.array_agg(new_goals.c.position).label("positions"),
    ).subquery("goal_ids")
    milestone_ids = select(
        func.array_agg(new_milestones.c.id).label("ids"),
        func.array_agg(new_milestones.c.kind).label("kinds"),
        func.array_agg(new_milestones.c.index).label("indexes"),
    ).subquery("milestone_ids")
    return (
        select(
            new_pair.c.id,
            goal_ids.c.ids,
            goal_ids.c.positions,
            milestone_ids.c.ids,
            milestone_ids.c.kinds,
            milestone_ids.c.indexes,
        )
        .select_from(new_pair, goal_ids, milestone_ids)
        .add_cte(*with_pair(new_pair))
    )


def insert_from_arrays(
    parent: Any,
    model: Any,
    prefix: str,
    arrays: dict[str, Any],
    constants: dict[str, Any],
    returning: tuple[Any, ...],
    *,
    skip_existing: bool = False,
) -> Any:
    """PostgreSQL: a CTE inserting the rows given as one array per column (parameters
    `<prefix>_<column>`, of these types), each with the `team_id` and `id` (as `pair_id`) of
    the row `parent` (a CTE) returned, and the `constants`; none when `parent` returned none.
    `skip_existing`: ON CONFLICT DO NOTHING."""
    rows = (
        func.unnest(*(bindparam(f"{prefix}_{c}", type_=ARRAY(t)) for c, t in arrays.items()))
        .table_valued(*arrays)
        .render_derived(name=prefix)
    )
    columns = model.__table__.c
    values = select(
        parent.c.team_id,
        parent.c.id,
        *(rows.c[c] for c in arrays),
        *(literal(v, columns[c].type) for c, v in constants.items()),
    ).select_from(parent, rows)
    stmt = pg_insert(model).from_select(["team_id", "pair_id", *arrays, *constants], values)
    if skip_existing:
        stmt = stmt.on_conflict_do_nothing()
    return stmt.returning(*returning).cte(f"new_{model.__tablename__}")


_PAIR_KEYS = tuple(f.name for f in fields(NewPair) if f.name not in ("id", "goals", "milestones"))
_INSERT_ALL = insert_all_statement()


def _inserted(
    conn: Connection, model: type[Goal] | type[Milestone], rows: list[dict[str, Any]]
) -> list[int]:
    """SQLite: insert a new pair's goals or milestones (`inserted_rows`: one multi-row INSERT
    on the driver, where SQLAlchemy's "insertmanyvalues" made `store_plan` cost 832–852
    against 642–759 µs of CPU at best, 10 × 200 plans, five runs each); their new ids, in the
    rows' order. The ids are matched to the rows by what is unique within a pair (a goal's
    position, a milestone's kind and index): RETURNING gives no order."""
    key = _KEYS[model]
    found = {tuple(row[1:]): row[0] for row in inserted_rows(conn, _insert_many(model), rows)}
    return [found[tuple(row[k] for k in key)] for row in rows]


_KEYS: dict[type[Goal] | type[Milestone], tuple[str, ...]] = {
    Goal: ("position",),
    Milestone: ("kind", "index"),
}


@cache
def _insert_many(model: type[Goal] | type[Milestone]) -> Any:
    columns = model.__table__.c
    return insert(model).returning(model.id, *(columns[k] for k in _KEYS[model]))


# A never-planned active pair is planned once: whoever sets its horizon first plans it.
CLAIM_FIRST_PLANNING = (
    update(Pair)
    .where(
        Pair.id == bindparam("pair_id"),
        Pair.status == PairStatus.ACTIVE.value,
        Pair.planned_until.is_(None),
    )
    .values(planned_until=bindparam("horizon"))
)


def get_pair(session: Session, team_id: str, pair_id: int) -> Pair | None:
    """One pair of this workspace, with goals and milestones loaded."""
    stmt = (
        select(Pair)
        .where(Pair.team_id == team_id, Pair.id == pair_id)
        .options(selectinload(Pair.goals), selectinload(Pair.milestones))
    )
    return session.scalars(stmt).first()


def pair_ids_of(team_id: str, user_id: str, statuses: Sequence[str] | None = None) -> Any:
    """The ids of a person's pairs (of these statuses, or any), as a subquery: two index
    lookups (as mentor, as mentee). A plain OR made SQLite read every pair of the workspace by
    its status index."""
    wanted = [Pair.team_id == team_id]
    if statuses is not None:
        wanted.append(Pair.status.in_(statuses))
    return union(
        select(Pair.id).where(*wanted, Pair.mentor_id == user_id),
        select(Pair.id).where(*wanted, Pair.mentee_id == user_id),
    )


def pairs_for_user(
    session: Session, team_id: str, user_id: str, statuses: Sequence[str] = OPEN_STATUSES
) -> list[Pair]:
    """The mentorships a person takes part in, newest first."""
    stmt = (
        select(Pair)
        .where(Pair.id.in_(pair_ids_of(team_id, user_id, statuses)))
        .options(selectinload(Pair.goals), selectinload(Pair.milestones))
        .order_by(Pair.created_at.desc(), Pair.id.desc())
    )
    return list(session.scalars(stmt))


def meeting_rule(pair: AnyPair) -> MeetingRule:
    """The pair's meeting series as a domain rule."""
    return MeetingRule(
        cadence=Cadence(pair.cadence),
        first_date=pair.start_date,
        local_time=pair.meeting_time,
        tz=pair.tz,
        end_date=pair.end_date,
        monthly_mode=MonthlyMode(pair.monthly_mode),
    )


def lock_pair(session: Session, team_id: str, pair_id: int) -> Pair | None:
    """A pair of this workspace, row-locked on PostgreSQL (SQLite callers hold the write lock)."""
    stmt = (
        select(Pair)
        .where(Pair.team_id == team_id, Pair.id == pair_id)
        .options(selectinload(Pair.goals), selectinload(Pair.milestones))
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Pair)
    return session.scalars(stmt).first()


def bump_schedule_version(session: Session, team_id: str, pair_id: int) -> None:
    """The pair's meeting series changed (a skip, a move): its calendar file's SEQUENCE goes up."""
    session.execute(
        update(Pair)
        .where(Pair.team_id == team_id, Pair.id == pair_id)
        .values(schedule_version=Pair.schedule_version + 1)
        .execution_options(synchronize_session=False)
    )
