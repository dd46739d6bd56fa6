"""report indexes: the program report's totals and at-risk pairs from aggregate queries
(pairs per status and program, meetings and prompts per workspace and per pair, notes and
action items per workspace), and someone's own pairs (every Home read every pair of the
workspace to find them). Additive only.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_pairs_team_status_program", "pairs", ["team_id", "status", "program_id"]),
    ("ix_pairs_team_mentor", "pairs", ["team_id", "mentor_id"]),
    ("ix_pairs_team_mentee", "pairs", ["team_id", "mentee_id"]),
    ("ix_meetings_team_status_at", "meetings", ["team_id", "status", "scheduled_at"]),
    ("ix_meetings_pair_status_at", "meetings", ["pair_id", "status", "scheduled_at"]),
    (
        "ix_reflection_prompts_team_status_asked",
        "reflection_prompts",
        ["team_id", "status", "asked_at"],
    ),
    (
        "ix_reflection_prompts_pair_status_position",
        "reflection_prompts",
        ["pair_id", "status", "position"],
    ),
    ("ix_session_notes_team_meeting", "session_notes", ["team_id", "meeting_id"]),
    ("ix_action_items_team_status", "action_items", ["team_id", "status"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
