"""program admins from Slack, the Home's first-visit intro, and workspaces known before

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

Single-token workspaces had no `workspaces` row until they stopped; from this revision a
workspace's first signed request creates one and queues the welcome DM. Workspaces already in
use (people cached or pairs stored) get their row here, so an upgrade welcomes nobody.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_admins",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_program_admins")),
    )
    op.create_table(
        "home_intros",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("shown_at", storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_intros")),
    )
    op.execute(
        "INSERT INTO workspaces (team_id, status) "
        "SELECT team_id, 'active' FROM "
        "(SELECT team_id FROM people UNION SELECT team_id FROM pairs) AS known "
        "WHERE team_id NOT IN (SELECT team_id FROM workspaces)"
    )


def downgrade() -> None:
    # The backfilled workspace rows stay: they only say the workspace is active.
    op.drop_table("home_intros")
    op.drop_table("program_admins")
