"""Fast bulk seeding of benchmark datasets with core INSERTs (no HTTP, no ORM objects).

A seeded pair looks like a weekly mentorship in its third week, planned 4 weeks ahead:

- meeting m0 at `meeting_at(i)`: two nudges (due now when `due_nudges`, else due later) and two
  follow-ups two hours after the meeting;
- meeting m1 a week later: its nudges and follow-ups, pending;
- meeting m-1 a week earlier: held, its four messages sent (history).

That is 3 meetings and 12 deliveries per pair (8 of them pending), 2 goals, the kickoff milestone
with both people's answered reflection prompts, and both people in the `people` cache. The pair's later milestones are left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Table, func, select, text

from bench.common import T0, TEAM
from bot.domain.plan import people_key
from bot.domain.reflection import questions_for
from storage.meetings import slot_key
from storage.models import (
    Delivery,
    Goal,
    Meeting,
    Milestone,
    Pair,
    Person,
    ReflectionPrompt,
    Workspace,
)

CHUNK = 5000
WEEK = timedelta(days=7)
LEAD = timedelta(hours=24)
FOLLOWUP_AFTER = timedelta(hours=2)


@lru_cache(maxsize=4096)
def _slot(at: datetime) -> str:
    return slot_key(at)


def mentor_id(i: int) -> str:
    return f"UA{i:08d}"


def mentee_id(i: int) -> str:
    return f"UB{i:08d}"


def meeting_at(i: int) -> datetime:
    """m0 of pair i: nudges (24 h before) fall due in the minute before T0, one per second."""
    return T0 + LEAD - timedelta(seconds=60) + timedelta(seconds=i % 60)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_converted: dict[tuple[str, Any], Any] = {}


def _converter(dialect: str, sample: Any) -> Callable[[Any], Any] | None:
    """How to convert one column's values (judged by a sample), or None to pass them as is."""
    if isinstance(sample, bool):
        return int if dialect == "sqlite" else None
    if isinstance(sample, dict | list):
        return json.dumps
    if isinstance(sample, datetime | date | time):
        convert = _sqlite_value if dialect == "sqlite" else _pg_value

        def remembered(value: Any) -> Any:  # a dataset repeats few instants
            key = (dialect, value)
            found = _converted.get(key)
            if found is None:
                found = _converted[key] = convert(value)
            return found

        return remembered
    return None


def _sqlite_value(value: Any) -> Any:
    """A value as SQLAlchemy's SQLite types store it (naive UTC text for instants)."""
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _pg_value(value: Any) -> Any:
    """A value for COPY into PostgreSQL (naive UTC timestamps, JSON as text)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _insert(engine: Engine, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk insert through the driver itself (executemany / COPY): SQLAlchemy's per-value
    type processing would take most of the seeding time. Values are converted the way the
    models' column types would convert them."""
    table, count = _table(model), 0
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # A big page cache keeps the indexes' B-trees in memory while millions of rows go in.
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("BEGIN IMMEDIATE")
        for chunk in _chunks(rows):
            columns = list(chunk[0])
            names = ", ".join(f'"{c}"' for c in columns)
            samples = {c: next((r[c] for r in chunk if r[c] is not None), None) for c in columns}
            converters = [(c, _converter(engine.dialect.name, samples[c])) for c in columns]
            values = [
                [v if f is None or v is None else f(v) for c, f in converters for v in (r[c],)]
                for r in chunk
            ]
            if sqlite:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
            else:
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in values:
                        copy.write_row(row)
            count += len(chunk)
        if sqlite:
            cursor.execute("COMMIT")
        else:
            raw.commit()
    finally:
        raw.close()
    return count


def fix_sequences(engine: Engine) -> None:
    """PostgreSQL: move id sequences past the explicitly inserted ids."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in (
            "pairs",
            "goals",
            "meetings",
            "deliveries",
            "milestones",
            "reflection_prompts",
        ):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                )
            )


def analyze(engine: Engine) -> None:
    """PostgreSQL: fresh planner statistics, as autovacuum gives a database soon after a bulk
    load. SQLite keeps none unless someone runs ANALYZE, and the bot never does: left as is."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def ensure_workspace(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(_table(Workspace))) == 0:
            conn.execute(
                _table(Workspace).insert(),
                [{"team_id": TEAM, "status": "active", "installed_at": T0}],
            )


def people_rows(ids: Iterable[str], refreshed_at: datetime) -> Iterator[dict[str, Any]]:
    for user_id in ids:
        yield {
            "team_id": TEAM,
            "user_id": user_id,
            "name": f"Person {user_id}",
            "tz": "Europe/Berlin",
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "refreshed_at": refreshed_at,
        }


def seed_people(engine: Engine, ids: Iterable[str], refreshed_at: datetime = T0) -> int:
    return _insert(engine, Person, people_rows(ids, refreshed_at))


def _pair(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "team_id": TEAM,
        "mentor_id": mentor_id(i),
        "mentee_id": mentee_id(i),
        "people_key": people_key(mentor_id(i), mentee_id(i)),
        "creator_id": mentor_id(i),
        "status": "active",
        "start_date": T0.date() - timedelta(days=14),
        "end_date": T0.date() + timedelta(days=180),
        "tz": "Europe/Berlin",
        "cadence": "weekly",
        "monthly_mode": "weekday_position",
        "meeting_time": time(11, 0),
        "format": "online",
        "channels": "chat,calls",
        "checkpoint_weeks": 4,
        "announce_channel": None,
        "announce": False,
        "paused_until": None,
        "schedule_version": 1,
        "planned_until": T0 + timedelta(days=30),  # the planner has nothing to do
        "created_at": T0 - timedelta(days=14),
        "updated_at": T0 - timedelta(days=14),
    }


def _next_ids(engine: Engine, start: int) -> dict[str, int]:
    """Offsets so that formula ids (3 * i + k, ...) of pairs from `start` on are all new."""
    bases = {}
    with engine.connect() as conn:
        for model, per_pair in (
            (Meeting, 3),
            (Delivery, 12),
            (Goal, 2),
            (Milestone, 1),
            (ReflectionPrompt, 2),
        ):
            table = _table(model)
            top = int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
            bases[table.name] = top + 1 - per_pair * start
    return bases


def _meetings(i: int, id_base: int) -> list[dict[str, Any]]:
    base = meeting_at(i)
    rows = []
    for k, offset in enumerate((-1, 0, 1)):
        at = base + offset * WEEK
        rows.append(
            {
                "id": id_base + 3 * i + k,
                "team_id": TEAM,
                "pair_id": i,
                "occurrence_key": _slot(at),
                "scheduled_at": at,
                "status": "held" if offset < 0 else "upcoming",
                "answered_by": mentee_id(i) if offset < 0 else None,
                "answered_at": at + timedelta(hours=1) if offset < 0 else None,
            }
        )
    return rows


def _deliveries(
    i: int, meetings: list[dict[str, Any]], due_nudges: bool, base: int
) -> list[dict[str, Any]]:
    rows = []
    for k, meeting in enumerate(meetings):
        at: datetime = meeting["scheduled_at"]
        # The JSON text of {"meeting_id": ..., "scheduled_at": ...}, as the planner writes it.
        payload = f'{{"meeting_id": {meeting["id"]}, "scheduled_at": "{at.isoformat()}"}}'
        past = at < T0
        for j, user_id in enumerate((mentee_id(i), mentor_id(i))):
            nudge_due = at - LEAD
            if k == 1 and not due_nudges:
                nudge_due += timedelta(hours=1)  # m0's nudges: due later than the benchmark's now
            for kind, due, expires in (
                ("nudge", nudge_due, at),
                ("followup", at + FOLLOWUP_AFTER, at + timedelta(days=3)),
            ):
                rows.append(
                    {
                        "id": base + 12 * i + 4 * k + 2 * j + (kind == "followup"),
                        "team_id": TEAM,
                        "kind": kind,
                        "pair_id": i,
                        "recipient_id": user_id,
                        "occurrence_key": f"{kind}:{meeting['id']}:{_slot(at)}:{user_id}",
                        "due_at": due,
                        "expires_at": expires,
                        "status": "sent" if past else "pending",
                        "attempts": 1 if past else 0,
                        "channel": "D" + user_id[1:] if past else None,
                        "ts": f"{due.timestamp():.6f}" if past else None,
                        "payload": payload,
                        "created_at": T0 - timedelta(days=14),
                        "sent_at": due if past else None,
                    }
                )
    return rows


def seed_pairs(
    engine: Engine,
    start: int,
    count: int,
    *,
    due_nudges: bool,
    refreshed_at: datetime = T0,
    deliveries: bool = True,
) -> dict[str, int]:
    """Pairs start..start+count-1 (ids from 1), with meetings, deliveries (unless `deliveries`
    is false: the report and Home benchmarks read none), goals and people."""
    ensure_workspace(engine)
    ids = range(max(start, 1), start + count)
    bases = _next_ids(engine, ids.start)
    pairs = _insert(engine, Pair, (_pair(i) for i in ids))

    def goals() -> Iterator[dict[str, Any]]:
        for i in ids:
            for k, (owner, goal) in enumerate(
                (("mentee", "Lead a design review"), ("mentor", "Practise giving feedback"))
            ):
                yield {
                    "id": bases["goals"] + 2 * i + k,
                    "team_id": TEAM,
                    "pair_id": i,
                    "owner": owner,
                    "text": goal,
                    "status": "open",
                    "position": k,
                }

    _insert(engine, Goal, goals())
    meetings = {i: _meetings(i, bases["meetings"]) for i in ids}
    _insert(engine, Meeting, (m for i in ids for m in meetings[i]))
    rows = (d for i in ids for d in _deliveries(i, meetings[i], due_nudges, bases["deliveries"]))
    sent = _insert(engine, Delivery, rows) if deliveries else 0
    people = seed_people(
        engine, (u for i in ids for u in (mentor_id(i), mentee_id(i))), refreshed_at
    )
    # The kickoff: a milestone behind them, and both people's answered reflection prompts.
    kickoff = T0 - timedelta(days=14)
    _insert(
        engine,
        Milestone,
        (
            {
                "id": bases["milestones"] + i,
                "team_id": TEAM,
                "pair_id": i,
                "kind": "kickoff",
                "index": 0,
                "due_date": kickoff.date(),
                "completed_at": kickoff,
                "announced_at": None,
            }
            for i in ids
        ),
    )
    _insert(
        engine,
        ReflectionPrompt,
        (
            {
                "id": bases["reflection_prompts"] + 2 * i + k,
                "team_id": TEAM,
                "pair_id": i,
                "milestone_id": bases["milestones"] + i,
                "user_id": user,
                "status": "done",
                "questions": [],
                "position": 3,
                "asked_at": kickoff,
                "expires_at": kickoff + timedelta(days=7),
                "completed_at": kickoff + timedelta(days=1),
            }
            for i in ids
            for k, user in enumerate((mentee_id(i), mentor_id(i)))
        ),
    )
    fix_sequences(engine)
    return {"pairs": pairs, "deliveries": sent, "people": people}


def seed_open_prompts(engine: Engine, users: list[str], partners: list[str]) -> int:
    """One active pair per user (the user mentee, the partner mentor), its kickoff milestone, and
    the user's open kickoff reflection prompt: their next DM answers its first question."""
    ensure_workspace(engine)
    with engine.begin() as conn:
        first = int(conn.scalar(select(func.coalesce(func.max(Pair.id), 0))) or 0) + 1
    ids = range(first, first + len(users))
    pairs = []
    for i, user, partner in zip(ids, users, partners, strict=True):
        row = _pair(i)
        row.update(
            mentor_id=partner,
            mentee_id=user,
            creator_id=partner,
            people_key=people_key(partner, user),
        )
        pairs.append(row)
    _insert(engine, Pair, pairs)
    kickoff: date = T0.date()
    _insert(
        engine,
        Milestone,
        (
            {
                "id": i,
                "team_id": TEAM,
                "pair_id": i,
                "kind": "kickoff",
                "index": 0,
                "due_date": kickoff,
                "completed_at": None,
                "announced_at": None,
            }
            for i in ids
        ),
    )
    questions = [q.to_dict() for q in questions_for("kickoff", ["Lead a design review"], "Omar")]
    _insert(
        engine,
        ReflectionPrompt,
        (
            {
                "id": i,
                "team_id": TEAM,
                "pair_id": i,
                "milestone_id": i,
                "user_id": user,
                "status": "open",
                "questions": questions,
                "position": 0,
                "asked_at": T0 - timedelta(hours=1),
                "expires_at": T0 + timedelta(days=7),
            }
            for i, user in zip(ids, users, strict=True)
        ),
    )
    seed_people(engine, [*users, *partners])
    fix_sequences(engine)
    return len(users)


def add_due_notices(engine: Engine, label: str, count: int, due: datetime) -> int:
    """`count` due notices (no pair), for timing claims."""
    rows = (
        {
            "team_id": TEAM,
            "kind": "notice",
            "pair_id": None,
            "recipient_id": mentee_id(n),
            "occurrence_key": f"bench:{label}:{n}",
            "due_at": due - timedelta(seconds=n % 60),
            "expires_at": None,
            "status": "pending",
            "attempts": 0,
            "payload": {"text": f"notice {n}"},
            "created_at": due,
        }
        for n in range(count)
    )
    return _insert(engine, Delivery, rows)


def cancel_notices(engine: Engine, label: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            _table(Delivery)
            .update()
            .where(Delivery.occurrence_key.like(f"bench:{label}:%"))
            .values(status="cancelled", lease_owner=None, lease_expires_at=None)
        )
