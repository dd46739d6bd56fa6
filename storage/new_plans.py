"""A new pair in few statements on PostgreSQL, where each statement is a round trip.

- `store_new_plan`: a submitted plan stored whole, in one statement: the people's facts Slack
  has just given, the pair with its goals and milestones, and both plan summaries queued. On
  a connection in autocommit the statement is its own transaction: one round trip before the
  submission's answer, where a transaction took five (BEGIN, the people, the pair, the
  summaries, COMMIT). It is as atomic as the transaction was: two people who already share an
  open mentorship are refused by the unique index and nothing is stored.
- `claim_first_planning`: the first planning's claim, meetings and prompts in one statement of
  the planning's transaction, where they were three.

SQLite does the same in a transaction of several statements (`bot.plans.start.store_plan`,
`bot.pairs.planner.plan_new_pair`): its statements are no round trips."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, Integer, String, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from storage import keys
from storage.base import UTCDateTime
from storage.db import driver_statement
from storage.meetings import UPCOMING, slot_key
from storage.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Meeting,
    Pair,
    PromptStatus,
    ReflectionPrompt,
)
from storage.pairs import (
    CLAIM_FIRST_PLANNING,
    NewPair,
    NewRows,
    insert_all_params,
    insert_all_statement,
    insert_from_arrays,
    with_ids,
)
from storage.people import people_arrays, upsert_from_arrays
from storage.reflections import add_existing_prompts


def store_new_plan(
    conn: Connection,
    rows: NewRows,
    *,
    people: Sequence[Mapping[str, Any]],
    people_at: datetime,
    summaries_for: Sequence[str],
    now: datetime,
) -> NewPair:
    """PostgreSQL, on a connection in autocommit: `rows` (`storage.pairs.new_pair_rows`)
    stored, `people`'s facts saved as `save_people` saves them (as of `people_at`; distinct
    people), and a plan summary queued for each of `summaries_for` (in that order; due
    `now`), in one statement. The pair as stored; IntegrityError when the pair is refused."""
    params = {
        **insert_all_params(rows),
        **people_arrays(people),
        "team": rows[0].team_id,
        "people_at": people_at,
        "s_recipient_id": list(summaries_for),
        "now": now,
    }
    return with_ids(rows, driver_statement(conn, _STORE).first(conn, params))


def _with_pair(new_pair: Any) -> Sequence[Any]:
    """The people's facts, and the summaries of the pair the statement makes."""
    team = bindparam("team", type_=String())
    people = upsert_from_arrays(team, bindparam("people_at", type_=UTCDateTime()))
    recipients = (
        func.unnest(bindparam("s_recipient_id", type_=ARRAY(String())))
        .table_valued("recipient_id", with_ordinality="n")
        .render_derived(name="s")
    )
    version = 1  # a new pair's schedule
    now = bindparam("now", type_=UTCDateTime())
    chosen = (
        select(
            new_pair.c.team_id,
            literal(DeliveryKind.PLAN_SUMMARY.value),
            recipients.c.recipient_id,
            keys.summary_of(new_pair.c.id, version, recipients.c.recipient_id),
            now,
            new_pair.c.id,
            literal({}, JSON()),
            literal(DeliveryStatus.PENDING.value),
            literal(0),
            now,
        )
        .select_from(new_pair, recipients)
        .order_by(recipients.c.n)
    )
    columns = ["team_id", "kind", "recipient_id", "occurrence_key", "due_at", "pair_id"]
    summaries = (
        pg_insert(Delivery)
        .from_select([*columns, "payload", "status", "attempts", "created_at"], chosen)
        .on_conflict_do_nothing(index_elements=["occurrence_key"])
        .cte("queued_summaries")
    )
    return people, summaries


_STORE = insert_all_statement(_with_pair)


@dataclass(frozen=True)
class FirstPlanning:
    """What `claim_first_planning` made: the meetings (id, instant), soonest first, and the
    prompts' ids by (milestone id, user id)."""

    meetings: list[tuple[int, datetime]]
    prompts: dict[tuple[int, str], int]


def claim_first_planning(
    conn: Connection,
    pair_id: int,
    horizon: datetime,
    instants: Sequence[datetime],
    prompts: Sequence[tuple[int, str]],
) -> FirstPlanning | None:
    """PostgreSQL, in the caller's transaction: a never-planned active pair's first planning
    claimed (its horizon set, `storage.pairs.CLAIM_FIRST_PLANNING`), its meetings at
    `instants` made (`storage.meetings.ensure_meetings`) and its `prompts` (milestone id,
    user id) made (`storage.reflections.ensure_prompts`), in one statement whose inserts
    happen only when the claim does. None, nothing written, when the pair was planned
    meanwhile or is no longer active. What exists is not made again (the ids of prompts
    that existed are read; a new pair has none)."""
    wanted = list(dict.fromkeys(prompts))
    at_slot = {slot_key(at): at for at in instants}
    params = {
        "pair_id": pair_id,
        "horizon": horizon,
        "mt_occurrence_key": list(at_slot),
        "mt_scheduled_at": list(at_slot.values()),
        "pr_milestone_id": [m for m, _ in wanted],
        "pr_user_id": [u for _, u in wanted],
    }
    row = driver_statement(conn, _FIRST_PLANNING).first(conn, params)
    assert row is not None  # the statement always gives one row
    claimed, meeting_ids, slots, prompt_ids, milestone_ids, user_ids = row
    if not claimed:
        return None
    meetings = sorted(
        ((int(i), at_slot[k]) for i, k in zip(meeting_ids or (), slots or (), strict=True)),
        key=lambda made: made[1],
    )
    ids: dict[Any, int] = {
        (int(m), str(u)): int(i)
        for i, m, u in zip(prompt_ids or (), milestone_ids or (), user_ids or (), strict=True)
    }
    if len(ids) < len(wanted):
        add_existing_prompts(conn, pair_id, wanted, ids)
    return FirstPlanning(meetings, ids)


def _first_planning() -> Any:
    """WITH claimed AS (the claim RETURNING the pair), meetings AS (INSERT … SELECT … FROM
    claimed, unnest(the slots) …), prompts AS (the same) SELECT whether it claimed and what
    each insert made, as arrays."""
    claimed = CLAIM_FIRST_PLANNING.returning(Pair.id, Pair.team_id).cte("claimed")
    meetings = insert_from_arrays(
        claimed,
        Meeting,
        "mt",
        {"occurrence_key": String(), "scheduled_at": UTCDateTime()},
        {"status": UPCOMING},
        (Meeting.id, Meeting.occurrence_key),
        skip_existing=True,
    )
    prompts = insert_from_arrays(
        claimed,
        ReflectionPrompt,
        "pr",
        {"milestone_id": Integer(), "user_id": String()},
        {"status": PromptStatus.SCHEDULED.value, "questions": [], "position": 0},
        (ReflectionPrompt.id, ReflectionPrompt.milestone_id, ReflectionPrompt.user_id),
        skip_existing=True,
    )
    made_meetings = select(
        func.array_agg(meetings.c.id).label("ids"),
        func.array_agg(meetings.c.occurrence_key).label("slots"),
    ).subquery("meeting_ids")
    made_prompts = select(
        func.array_agg(prompts.c.id).label("ids"),
        func.array_agg(prompts.c.milestone_id).label("milestones"),
        func.array_agg(prompts.c.user_id).label("users"),
    ).subquery("prompt_ids")
    return select(
        select(func.count()).select_from(claimed).scalar_subquery(),
        made_meetings.c.ids,
        made_meetings.c.slots,
        made_prompts.c.ids,
        made_prompts.c.milestones,
        made_prompts.c.users,
    ).select_from(made_meetings, made_prompts)


_FIRST_PLANNING = _first_planning()
