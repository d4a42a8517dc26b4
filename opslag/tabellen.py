"""The tables. Times are stored as aware UTC datetimes; ids of contacts come from the config."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from opslag.tijd import UtcDateTime


def _utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


class SignalRow(SQLModel, table=True):
    """A report and its routing decision."""

    __tablename__ = "signal"
    __table_args__ = (
        UniqueConstraint("year", "sequence", name="uq_signal_year_sequence"),
        Index("ix_signal_district_reported", "district", "reported_at"),
        Index("ix_signal_district_closed", "district", "closed_at"),
        Index("ix_signal_contact_status", "contact_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    sequence: int
    theme: str | None = Field(default=None, max_length=40)
    theme_suggested: bool = False
    description: str | None = Field(default=None, max_length=4000)
    street: str | None = Field(default=None, max_length=120)
    house_number: str | None = Field(default=None, max_length=20)
    neighbourhood: str | None = Field(default=None, max_length=60)
    district: str | None = Field(default=None, max_length=60)
    lat: float | None = None
    lon: float | None = None
    urgency: str = Field(max_length=10)
    priority: str = Field(max_length=10)
    status: str = Field(max_length=20, index=True)
    channel: str = Field(default="telegram", max_length=20)
    reporter_role: str = Field(max_length=20)
    reporter_anonymous: bool = True
    reporter_telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True)
    )
    reporter_name: str | None = Field(default=None, max_length=120)
    reporter_contact: str | None = Field(default=None, max_length=200)
    reporter_language: str = Field(default="nl", max_length=5)
    contact_id: str = Field(max_length=60)
    # The contact (or group) asked when it is overdue; a chain "a>b": the first is the one
    # asked (last), the rest come next, each after another term.
    escalation_contact_id: str = Field(max_length=200)
    rule_id: str = Field(max_length=80)
    explanation: str = Field(max_length=2000)
    reported_at: datetime = _utc_column(index=True)
    deadline: datetime = _utc_column(index=True)
    deadline_days: int = 0
    deadline_hours: int | None = None  # a term in hours instead of working days
    updated_at: datetime = _utc_column()
    closed_at: datetime | None = _utc_column(nullable=True)
    escalated_at: datetime | None = _utc_column(nullable=True)
    solved: bool | None = None
    # Bumped on every change, so a button from an older message cannot act on a newer state.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # The date the reporter was last promised; moved on (and told) when it passes unsolved.
    expected_at: datetime | None = _utc_column(nullable=True)
    # Why the current owner has it, in words: the rule, a handover reason, or a diversion.
    assignment_note: str = Field(
        default="", max_length=600, sa_column_kwargs={"server_default": ""}
    )
    # The contact who should have had it but could not be reached on Telegram.
    diverted_from: str | None = Field(default=None, max_length=60)


class SignalPhotoRow(SQLModel, table=True):
    __tablename__ = "signal_photo"

    id: int | None = Field(default=None, primary_key=True)
    signal_id: int = Field(foreign_key="signal.id", index=True)
    file_id: str = Field(max_length=200)


class AuditEventRow(SQLModel, table=True):
    """One step in a signal's life: who, when, from, to, why."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    signal_id: int = Field(foreign_key="signal.id", index=True)
    at: datetime = _utc_column(index=True)
    actor: str = Field(max_length=80)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class ReferenceCounter(SQLModel, table=True):
    """The last reference number handed out per year."""

    __tablename__ = "reference_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class ContactRegistration(SQLModel, table=True):
    """A config contact linked to the Telegram account that acts for them."""

    __tablename__ = "contact_registration"

    contact_id: str = Field(primary_key=True, max_length=60)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    language: str = Field(default="nl", max_length=5)
    registered_at: datetime = _utc_column()


class InviteRow(SQLModel, table=True):
    """A single-use, expiring code: registers a contact's account or links a group to a district."""

    __tablename__ = "invite"

    token: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=20)  # "contact", "group" or "channel"
    target: str = Field(max_length=60)  # the contact id or the district id
    expires_at: datetime = _utc_column()
    used_at: datetime | None = _utc_column(nullable=True)


class UserPreference(SQLModel, table=True):
    """A Telegram user's chosen language."""

    __tablename__ = "user_preference"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str = Field(max_length=5)


class GroupLink(SQLModel, table=True):
    """A working-group chat linked to a district for digests."""

    __tablename__ = "group_link"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    district: str = Field(max_length=60, index=True)
    linked_at: datetime = _utc_column()


class PublicChannelLink(SQLModel, table=True):
    """A district's public Telegram channel: residents read what was done, anonymously."""

    __tablename__ = "public_channel"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    district: str = Field(max_length=60, index=True)
    linked_at: datetime = _utc_column()


class DraftRow(SQLModel, table=True):
    """A report being written in a chat; lives here so restarts and other workers continue it."""

    __tablename__ = "draft"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    step: str = Field(max_length=30)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _utc_column()


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a repeated delivery changes nothing twice."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = _utc_column()


class InboxUpdate(SQLModel, table=True):
    """A Telegram update stored before Telegram is told we have it, so a crash loses nothing.

    It counts as handled once its id is in `processed_update` (written in the transaction of
    its effects); at start the rest is handled again.
    """

    __tablename__ = "inbox"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _utc_column(index=True)


class TimerRow(SQLModel, table=True):
    """Something due at a time (reminder, escalation, digest); unique key prevents doubles."""

    __tablename__ = "timer"
    __table_args__ = (
        Index(
            "ix_timer_open_due",
            "due_at",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=30)
    signal_id: int | None = Field(default=None, foreign_key="signal.id", index=True)
    due_at: datetime = _utc_column()
    done_at: datetime | None = _utc_column(nullable=True)
    cancelled: bool = False
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DigestRow(SQLModel, table=True):
    """A digest made for a district and period; the unique key stops a second worker."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("district", "period", name="uq_digest_district_period"),)

    id: int | None = Field(default=None, primary_key=True)
    district: str = Field(max_length=60)
    period: str = Field(max_length=12)  # 2026-W47 or 2026-11
    made_at: datetime = _utc_column()


class OutboxMessage(SQLModel, table=True):
    """A message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=160, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    method: str = Field(default="sendMessage", max_length=30)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc_column()
    not_before: datetime = _utc_column()
    sent_at: datetime | None = _utc_column(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    failed: bool = False
    # A card whose buttons act on this signal; its buttons are taken away when it moves on.
    signal_id: int | None = Field(default=None, index=True)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


__all__ = [
    "AuditEventRow",
    "ContactRegistration",
    "DigestRow",
    "DraftRow",
    "GroupLink",
    "InboxUpdate",
    "InviteRow",
    "OutboxMessage",
    "ProcessedUpdate",
    "ReferenceCounter",
    "SignalPhotoRow",
    "SignalRow",
    "TimerRow",
    "UserPreference",
]
