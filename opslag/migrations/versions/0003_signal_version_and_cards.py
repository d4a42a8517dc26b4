"""Signal version, promised date, assignment note and diversion; outbox cards by signal.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("assignment_note", sa.String(length=600), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("diverted_from", sa.String(length=60), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_signal_id"), ["signal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_signal_id"))
        batch_op.drop_column("message_id")
        batch_op.drop_column("signal_id")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_column("diverted_from")
        batch_op.drop_column("assignment_note")
        batch_op.drop_column("expected_at")
        batch_op.drop_column("version")
