"""documents: meeting length, pair documents (calendar UID key, plan canvas), calendar feeds

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, never batch mode: batch mode rebuilds a SQLite table and drops the old
    # one, and with foreign keys on (as storage.db sets them) dropping `pairs` cascade-deleted
    # every goal, milestone, meeting and message of every pair.
    op.add_column(
        "pairs",
        sa.Column("meeting_minutes", sa.Integer(), server_default=sa.text("30"), nullable=False),
    )
    op.create_table(
        "pair_documents",
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("uid_key", sa.String(length=64), nullable=False),
        sa.Column("canvas_id", sa.String(length=32), nullable=True),
        sa.Column("canvas_url", sa.String(length=300), nullable=True),
        sa.Column("canvas_state", sa.String(length=16), nullable=False),
        sa.Column("canvas_owner", sa.String(length=32), nullable=True),
        sa.Column("share_round", sa.Integer(), nullable=False),
        sa.Column("sync_round", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_pair_documents_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pair_id", name=op.f("pk_pair_documents")),
    )
    with op.batch_alter_table("pair_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_documents_team_id"), ["team_id"], unique=False)
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", storage.models.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_feeds_team_user", ["team_id", "user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_feeds_team_user")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("pair_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_documents_team_id"))
    op.drop_table("pair_documents")
    op.drop_column("pairs", "meeting_minutes")  # SQLite 3.35+ drops a column in place
