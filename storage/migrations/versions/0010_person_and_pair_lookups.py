"""indexes that SQLite takes for a person's and a pair's lookups.

Both lookups sort (oldest prompt first; soonest delivery first). SQLite has no statistics here,
and between two indexes that each match one part of the WHERE it took the one already in the
sort's order: a DM reply read every open prompt of the workspace through (team, status,
asked_at) until it met the person's, and answering a meeting, editing a plan or pausing read
every pending delivery of every workspace through (status, due_at). Their cost grew with the
whole database (at 50,000 pairs, 294 ms to cancel one meeting's nudges). Each lookup now has an
index that matches its WHERE and its order:

- reflection_prompts (team_id, user_id, status, asked_at), replacing 0008's (team_id, user_id,
  status);
- deliveries (pair_id, status, due_at), replacing (pair_id): it also serves the foreign key;
- action_items (team_id, pair_id, status): a pair's open items on the Home and its done items
  in a session summary were read through the report's (team_id, status), every open (or done)
  item of the workspace;
- enrolments (team_id, user_id, status), replacing (team_id): someone's enrolments, asked by
  every Home, were found among all of the workspace's;
- meetings (pair_id, team_id, status, scheduled_at), replacing (pair_id): the Home's latest
  held meeting and held count of a person's pairs read every held meeting of the workspace;
- session_notes (pair_id, team_id), replacing (pair_id): the Home's note counts read every
  note of the workspace;
- pairs (team_id, people_key): whether two people have an open pair (a program's publish, per
  proposal) read the workspace's active pairs; the partial unique index on the same columns
  cannot answer `status IN (?, ?)` with bound values on SQLite.

Replaces indexes; no data changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_reflection_prompts_person", table_name="reflection_prompts")
    op.create_index(
        "ix_reflection_prompts_person",
        "reflection_prompts",
        ["team_id", "user_id", "status", "asked_at"],
        unique=False,
    )
    op.create_index(
        "ix_deliveries_pair_status_due",
        "deliveries",
        ["pair_id", "status", "due_at"],
        unique=False,
    )
    op.drop_index("ix_deliveries_pair_id", table_name="deliveries")
    op.create_index(
        "ix_action_items_team_pair_status",
        "action_items",
        ["team_id", "pair_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_enrolments_team_user_status",
        "enrolments",
        ["team_id", "user_id", "status"],
        unique=False,
    )
    op.drop_index("ix_enrolments_team_id", table_name="enrolments")
    op.create_index(
        "ix_meetings_pair_team_status_at",
        "meetings",
        ["pair_id", "team_id", "status", "scheduled_at"],
        unique=False,
    )
    op.drop_index("ix_meetings_pair_id", table_name="meetings")
    op.create_index(
        "ix_session_notes_pair_team", "session_notes", ["pair_id", "team_id"], unique=False
    )
    op.drop_index("ix_session_notes_pair_id", table_name="session_notes")
    op.create_index("ix_pairs_team_people", "pairs", ["team_id", "people_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pairs_team_people", table_name="pairs")
    op.create_index("ix_session_notes_pair_id", "session_notes", ["pair_id"], unique=False)
    op.drop_index("ix_session_notes_pair_team", table_name="session_notes")
    op.create_index("ix_meetings_pair_id", "meetings", ["pair_id"], unique=False)
    op.drop_index("ix_meetings_pair_team_status_at", table_name="meetings")
    op.create_index("ix_enrolments_team_id", "enrolments", ["team_id"], unique=False)
    op.drop_index("ix_enrolments_team_user_status", table_name="enrolments")
    op.drop_index("ix_action_items_team_pair_status", table_name="action_items")
    op.create_index("ix_deliveries_pair_id", "deliveries", ["pair_id"], unique=False)
    op.drop_index("ix_deliveries_pair_status_due", table_name="deliveries")
    op.drop_index("ix_reflection_prompts_person", table_name="reflection_prompts")
    op.create_index(
        "ix_reflection_prompts_person",
        "reflection_prompts",
        ["team_id", "user_id", "status"],
        unique=False,
    )
