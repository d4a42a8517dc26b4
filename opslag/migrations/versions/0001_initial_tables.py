"""Initial tables: signals, audit events, contacts, drafts, timers, digests and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 15:45:36.639596
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_registration",
        sa.Column("contact_id", sa.String(length=60), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("contact_id"),
        sa.UniqueConstraint("telegram_user_id"),
    )
    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("district", "period", name="uq_digest_district_period"),
    )
    op.create_table(
        "draft",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "group_link",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    with op.batch_alter_table("group_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_link_district"), ["district"], unique=False)

    op.create_table(
        "invite",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index("ix_outbox_pending", ["sent_at", "not_before"], unique=False)

    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_table(
        "reference_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=True),
        sa.Column("theme_suggested", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=True),
        sa.Column("street", sa.String(length=120), nullable=True),
        sa.Column("house_number", sa.String(length=20), nullable=True),
        sa.Column("neighbourhood", sa.String(length=60), nullable=True),
        sa.Column("district", sa.String(length=60), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reporter_role", sa.String(length=20), nullable=False),
        sa.Column("reporter_anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("reporter_name", sa.String(length=120), nullable=True),
        sa.Column("reporter_contact", sa.String(length=200), nullable=True),
        sa.Column("reporter_language", sa.String(length=5), nullable=False),
        sa.Column("contact_id", sa.String(length=60), nullable=False),
        sa.Column("escalation_contact_id", sa.String(length=60), nullable=False),
        sa.Column("rule_id", sa.String(length=80), nullable=False),
        sa.Column("explanation", sa.String(length=2000), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
        sa.UniqueConstraint("year", "sequence", name="uq_signal_year_sequence"),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.create_index("ix_signal_contact_status", ["contact_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_signal_deadline"), ["deadline"], unique=False)
        batch_op.create_index("ix_signal_district_closed", ["district", "closed_at"], unique=False)
        batch_op.create_index(
            "ix_signal_district_reported", ["district", "reported_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_signal_reporter_telegram_id"), ["reporter_telegram_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signal_status"), ["status"], unique=False)

    op.create_table(
        "user_preference",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_signal_id"), ["signal_id"], unique=False)

    op.create_table(
        "signal_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signal_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_photo_signal_id"), ["signal_id"], unique=False)

    op.create_table(
        "timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.create_index("ix_timer_due_open", ["done_at", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_timer_signal_id"), ["signal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timer_signal_id"))
        batch_op.drop_index("ix_timer_due_open")

    op.drop_table("timer")
    with op.batch_alter_table("signal_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_photo_signal_id"))

    op.drop_table("signal_photo")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_signal_id"))

    op.drop_table("audit_event")
    op.drop_table("user_preference")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_status"))
        batch_op.drop_index(batch_op.f("ix_signal_reporter_telegram_id"))
        batch_op.drop_index("ix_signal_district_reported")
        batch_op.drop_index("ix_signal_district_closed")
        batch_op.drop_index(batch_op.f("ix_signal_deadline"))
        batch_op.drop_index("ix_signal_contact_status")

    op.drop_table("signal")
    op.drop_table("reference_counter")
    op.drop_table("processed_update")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_index(batch_op.f("ix_outbox_chat_id"))

    op.drop_table("outbox")
    op.drop_table("invite")
    with op.batch_alter_table("group_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_link_district"))

    op.drop_table("group_link")
    op.drop_table("draft")
    op.drop_table("digest")
    op.drop_table("contact_registration")
