"""A submitted plan stored whole in one statement on PostgreSQL: the people's facts Slack has
just given, the pair with its goals and milestones, and both plan summaries queued.

On a connection in autocommit the statement is its own transaction: one round trip before
the submission's answer, where a transaction took five (BEGIN, the people, the pair, the
summaries, COMMIT). It is as atomic as the transaction was: two people who already share an
open mentorship are refused by the unique index and nothing is stored. SQLite stores the same
rows in a transaction (`bot.plans.start.submit_plan`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, String, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from storage import keys
from storage.base import UTCDateTime
from storage.db import driver_statement
from storage.models import Delivery, DeliveryKind, DeliveryStatus
from storage.pairs import NewPair, NewRows, insert_all_params, insert_all_statement, with_ids
from storage.people import people_arrays, upsert_from_arrays


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
