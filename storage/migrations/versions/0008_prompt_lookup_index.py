"""an index for a person's open reflection prompt: every DM reply asks for it, and without one
the lookup read every open prompt of every workspace (with 50,000 open, 24 ms of CPU a reply).
Additive only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reflection_prompts_person",
        "reflection_prompts",
        ["team_id", "user_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reflection_prompts_person", table_name="reflection_prompts")
