"""sessions: agenda items, session notes, action items and their history (issue 15)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 02:40:20.785864
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("owner_role", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("carried_count", sa.Integer(), nullable=False),
        sa.Column("last_action", sa.String(length=16), nullable=True),
        sa.Column("acted_meeting_id", sa.Integer(), nullable=True),
        sa.Column("acted_by", sa.String(length=32), nullable=True),
        sa.Column("acted_at", storage.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_action_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_action_items_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        sa.UniqueConstraint(
            "meeting_id",
            "created_by",
            "slot",
            name=op.f("uq_action_items_meeting_id_created_by_slot"),
        ),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.create_index("ix_action_items_pair_id_status", ["pair_id", "status"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("covered_meeting_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["covered_meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_covered_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_agenda_items_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_items_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(
            "uq_agenda_items_waiting_text",
            ["pair_id", "author_id", "text_key"],
            unique=True,
            sqlite_where=sa.text("covered_meeting_id IS NULL"),
            postgresql_where=sa.text("covered_meeting_id IS NULL"),
        )

    op.create_table(
        "session_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(), nullable=False),
        sa.Column("edited_at", storage.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_session_notes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_session_notes_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_notes")),
        sa.UniqueConstraint(
            "meeting_id",
            "author_id",
            "visibility",
            name=op.f("uq_session_notes_meeting_id_author_id_visibility"),
        ),
    )
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_notes_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "action_item_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("by_user", sa.String(length=32), nullable=False),
        sa.Column("at", storage.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_action_item_events_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item_events")),
    )
    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_item_events_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("action_item_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_events_item_id"))

    op.drop_table("action_item_events")
    with op.batch_alter_table("session_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_notes_pair_id"))

    op.drop_table("session_notes")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_agenda_items_waiting_text",
            sqlite_where=sa.text("covered_meeting_id IS NULL"),
            postgresql_where=sa.text("covered_meeting_id IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_agenda_items_pair_id"))

    op.drop_table("agenda_items")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_pair_id_status")

    op.drop_table("action_items")
