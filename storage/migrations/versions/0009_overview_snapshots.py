"""overview snapshots: a large workspace's program overview as last counted, so admins' Home
tabs read one row instead of aggregating every pair (bot/reports/overview.py). Additive only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "overview_snapshots",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_overview_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("overview_snapshots")
