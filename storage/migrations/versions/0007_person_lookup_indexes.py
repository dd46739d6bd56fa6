"""indexes for what is asked about one person: their open reflection prompt (every DM reply
asks) and their pairs (the Home tab, every command naming a pair); without them each lookup
read every open prompt, or every pair of the workspace.

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
    op.create_index("ix_pairs_team_mentor", "pairs", ["team_id", "mentor_id"], unique=False)
    op.create_index("ix_pairs_team_mentee", "pairs", ["team_id", "mentee_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pairs_team_mentee", table_name="pairs")
    op.drop_index("ix_pairs_team_mentor", table_name="pairs")
    op.drop_index("ix_reflection_prompts_person", table_name="reflection_prompts")
