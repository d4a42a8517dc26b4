"""Indexes for Open311's reads: signals by report time, audit events by time.

`GET requests.json` reads the newest signals of a period (default 90 days) and
`servicerequestupdates.json` the status changes of a period; without these both read the
whole table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_signal_reported_at", "signal", ["reported_at"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_at", table_name="audit_event")
    op.drop_index("ix_signal_reported_at", table_name="signal")
