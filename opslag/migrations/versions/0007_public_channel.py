"""A district's public Telegram channel (residents informed per wijk, anonymously).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_channel",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_public_channel_district", "public_channel", ["district"])


def downgrade() -> None:
    op.drop_index("ix_public_channel_district", table_name="public_channel")
    op.drop_table("public_channel")
