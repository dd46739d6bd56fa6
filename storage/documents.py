"""Queries on a pair's documents (calendar UID key, plan canvas) and on calendar subscriptions.

Each takes a Session; callers own the transaction. `queue_document_sync` is the hook other
features call when something the plan canvas shows has changed: it only writes an outbox row
(kind `canvas_sync`), so they never import the documents feature.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import keys
from storage.db import dialect_insert
from storage.document_models import CalendarFeed, PairDocument
from storage.models import Delivery, DeliveryKind, DeliveryStatus, Meeting, ReflectionPrompt
from storage.outbox import NewDelivery, add_deliveries

NO_CANVAS, CANVAS_PENDING, CANVAS_READY, CANVAS_UNAVAILABLE = "", "pending", "ready", "unavailable"
PENDING = DeliveryStatus.PENDING.value
# Outbox rows that are still on their way (not sent, failed, expired or cancelled).
IN_FLIGHT = (PENDING, DeliveryStatus.CLAIMED.value, DeliveryStatus.SENDING.value)


def ensure_document(session: Session, team_id: str, pair_id: int, now: datetime) -> PairDocument:
    """The pair's documents row, created once (with a random key for its calendar UID)."""
    values = {
        "pair_id": pair_id,
        "team_id": team_id,
        "uid_key": secrets.token_hex(32),
        "canvas_state": NO_CANVAS,
        "share_round": 0,
        "sync_round": 0,
        "sections": {},
        "created_at": now,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    stmt: Any = dialect_insert(dialect, PairDocument)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["pair_id"]), [values])
    found = get_document(session, team_id, pair_id)
    assert found is not None, "pair_documents row of another workspace"
    return found


def get_document(session: Session, team_id: str, pair_id: int) -> PairDocument | None:
    """The pair's documents row of this workspace, if one was ever made."""
    found = session.get(PairDocument, pair_id, populate_existing=True)
    return found if found is not None and found.team_id == team_id else None


def queue_document_sync(session: Session, team_id: str, pair_id: int, now: datetime) -> bool:
    """Ask for the pair's plan canvas to be brought up to date (if it has one): one outbox row
    per call, numbered by an increment in the database so concurrent callers never share one."""
    row = session.execute(
        update(PairDocument)
        .where(
            PairDocument.pair_id == pair_id,
            PairDocument.team_id == team_id,
            PairDocument.canvas_state == CANVAS_READY,
        )
        .values(sync_round=PairDocument.sync_round + 1)
        .returning(PairDocument.sync_round, PairDocument.canvas_owner)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None or not row.canvas_owner:
        return False
    sync = NewDelivery(
        team_id=team_id,
        kind=DeliveryKind.CANVAS_SYNC,
        recipient_id=row.canvas_owner,
        occurrence_key=keys.canvas_sync(pair_id, row.sync_round),
        due_at=now,
        pair_id=pair_id,
    )
    return add_deliveries(session, [sync], now) > 0


def delivery_by_key(session: Session, occurrence_key: str) -> Delivery | None:
    """The outbox row with this occurrence key, if any."""
    return session.scalars(
        select(Delivery).where(Delivery.occurrence_key == occurrence_key)
    ).first()


def pair_meetings(session: Session, team_id: str, pair_id: int) -> list[Meeting]:
    """Every meeting row of a pair (answered, moved, cancelled...), in the order they were made."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.pair_id == pair_id)
            .order_by(Meeting.id)
        )
    )


def shared_prompts(session: Session, team_id: str, pair_id: int) -> list[ReflectionPrompt]:
    """A pair's reflections whose authors chose to share them, oldest first."""
    return list(
        session.scalars(
            select(ReflectionPrompt)
            .where(
                ReflectionPrompt.team_id == team_id,
                ReflectionPrompt.pair_id == pair_id,
                ReflectionPrompt.shared_at.is_not(None),
            )
            .order_by(ReflectionPrompt.id)
        )
    )


def active_feed(session: Session, team_id: str, user_id: str) -> CalendarFeed | None:
    """A person's calendar subscription that has not been revoked."""
    return session.scalars(
        select(CalendarFeed)
        .where(
            CalendarFeed.team_id == team_id,
            CalendarFeed.user_id == user_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .order_by(CalendarFeed.id.desc())
    ).first()


def revoke_feeds(session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """Revoke every live subscription link of a person; how many there were."""
    result = session.execute(
        update(CalendarFeed)
        .where(
            CalendarFeed.team_id == team_id,
            CalendarFeed.user_id == user_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def replace_feed(
    session: Session, team_id: str, user_id: str, token_hash: str, now: datetime
) -> CalendarFeed:
    """A new subscription link for a person; any earlier one stops working."""
    revoke_feeds(session, team_id, user_id, now)
    feed = CalendarFeed(team_id=team_id, user_id=user_id, token_hash=token_hash, created_at=now)
    session.add(feed)
    session.flush()
    return feed


def feed_by_hash(session: Session, token_hash: str) -> CalendarFeed | None:
    """The live subscription with this token hash (None once revoked)."""
    return session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash, CalendarFeed.revoked_at.is_(None)
        )
    ).first()


def send_again(row: Delivery, now: datetime) -> None:
    """Put an outbox row that failed, expired or was cancelled back in line, due now."""
    row.status, row.due_at, row.attempts, row.last_error = PENDING, now, 0, None
    row.lease_owner = row.lease_expires_at = row.expires_at = None
