"""The documents tables: one row per pair made once, canvas syncs queued only for a ready canvas
(each with its own key), subscription links replaced and revoked, and purged with a workspace."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.plan import Plan
from storage.document_models import CalendarFeed, PairDocument
from storage.documents import (
    CANVAS_READY,
    ensure_document,
    feed_by_hash,
    queue_document_sync,
    replace_feed,
    revoke_feeds,
)
from storage.models import Delivery, DeliveryKind
from storage.pairs import create_pair
from storage.workspaces import purge_team

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
PLAN = Plan(
    "U0OMAR0001", "U0MAYA0001", ("Lead",), (), "Launch", "weekly", "weekday_position",
    date(2027, 3, 2), time(15), "Europe/Berlin", "online", ("chat",), date(2027, 6, 2), 4,
    None, False,
)  # fmt: skip


def new_pair(s: Session, team: str = "T0AAAAAAA1") -> int:
    return create_pair(s, team, "U0OMAR0001", PLAN, NOW).id


def test_a_pairs_row_is_made_once_and_syncs_wait_for_a_ready_canvas(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        pair_id = new_pair(s)
        first = ensure_document(s, "T0AAAAAAA1", pair_id, NOW)
        key = first.uid_key
        assert ensure_document(s, "T0AAAAAAA1", pair_id, NOW).uid_key == key and len(key) == 64
        assert queue_document_sync(s, "T0AAAAAAA1", pair_id, NOW) is False  # no canvas yet
        first.canvas_state, first.canvas_owner = CANVAS_READY, "U0OMAR0001"
        s.flush()
        assert queue_document_sync(s, "T0BBBBBBB1", pair_id, NOW) is False  # not that workspace
        assert queue_document_sync(s, "T0AAAAAAA1", pair_id, NOW) is True
        assert queue_document_sync(s, "T0AAAAAAA1", pair_id, NOW) is True
    with sessions() as s:
        rows = s.scalars(select(Delivery).where(Delivery.kind == DeliveryKind.CANVAS_SYNC)).all()
        assert sorted(r.occurrence_key for r in rows) == [
            f"docsync:{pair_id}:1",
            f"docsync:{pair_id}:2",
        ]
        assert {r.recipient_id for r in rows} == {"U0OMAR0001"}


def test_links_are_replaced_revoked_and_purged_with_the_workspace(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        kept = new_pair(s, "T0AAAAAAA1")
        gone = new_pair(s, "T0BBBBBBB1")
        ensure_document(s, "T0AAAAAAA1", kept, NOW)
        ensure_document(s, "T0BBBBBBB1", gone, NOW)
        replace_feed(s, "T0AAAAAAA1", "U0MAYA0001", "a" * 64, NOW)
        replace_feed(s, "T0AAAAAAA1", "U0MAYA0001", "b" * 64, NOW)  # the first stops working
        replace_feed(s, "T0BBBBBBB1", "U0MAYA0001", "c" * 64, NOW)
        assert feed_by_hash(s, "a" * 64) is None and feed_by_hash(s, "b" * 64) is not None
        assert revoke_feeds(s, "T0AAAAAAA1", "U0MAYA0001", NOW) == 1
        assert feed_by_hash(s, "b" * 64) is None and feed_by_hash(s, "c" * 64) is not None
    with sessions.begin() as s:
        counts = purge_team(s, "T0BBBBBBB1")
    assert counts["calendar_feeds"] == 1
    with sessions() as s:
        assert [d.team_id for d in s.scalars(select(PairDocument))] == ["T0AAAAAAA1"]
        assert {f.team_id for f in s.scalars(select(CalendarFeed))} == {"T0AAAAAAA1"}
