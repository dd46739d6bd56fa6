"""an index for a person's open reflection prompt: every DM reply asks for it, and without one
the lookup read every open prompt of every workspace.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
