"""Open timers by due time: a partial index, so the due-timer scan stops after its limit.

With (done_at, due_at) PostgreSQL sorted every open timer when many were due at once (9 ms
for 9,000 at a million signals); the partial index is walked in order (0.2 ms).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = sa.text("done_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_index("ix_timer_due_open")
        batch_op.create_index(
            "ix_timer_open_due", ["due_at"], postgresql_where=OPEN, sqlite_where=OPEN
        )


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_index("ix_timer_open_due")
        batch_op.create_index("ix_timer_due_open", ["done_at", "due_at"], unique=False)
