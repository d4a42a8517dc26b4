"""A signal's term in hours, and room for an escalation chain.

Rules may give a deadline in hours instead of working days.

A 24/7 desk counts clock hours, everyone else working hours; the term is kept with the
signal so a handover or reopening gives the new owner the same kind of term.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signal") as batch:
        batch.add_column(sa.Column("deadline_hours", sa.Integer(), nullable=True))
        # an escalation chain "a>b>c" is kept in the escalation contact's column
        batch.alter_column(
            "escalation_contact_id", type_=sa.String(length=200), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signal") as batch:
        batch.alter_column(
            "escalation_contact_id", type_=sa.String(length=60), existing_nullable=False
        )
        batch.drop_column("deadline_hours")
