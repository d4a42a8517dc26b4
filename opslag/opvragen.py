"""Reading signals for systems outside the chat (Open311): by reference, by filter, by change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.tabellen import AuditEventRow, SignalRow
from signalen.workflow import CLOSED_STATUSES, Status


async def by_references(session: AsyncSession, references: list[str]) -> list[SignalRow]:
    statement = (
        select(SignalRow)
        .where(col(SignalRow.reference).in_(references))
        .order_by(col(SignalRow.id))
    )
    return list(await session.scalars(statement))


async def find(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    themes: list[str] | None = None,
    closed: bool | None = None,
    limit: int = 1000,
) -> list[SignalRow]:
    """Signals reported in [start, end), newest first, optionally of some themes or status."""
    statement = select(SignalRow).where(
        col(SignalRow.reported_at) >= start, col(SignalRow.reported_at) < end
    )
    if themes is not None:
        statement = statement.where(col(SignalRow.theme).in_(themes))
    if closed is not None:
        done = [s.value for s in CLOSED_STATUSES]
        statement = statement.where(
            col(SignalRow.status).in_(done) if closed else col(SignalRow.status).not_in(done)
        )
    statement = statement.order_by(col(SignalRow.reported_at).desc()).limit(limit)
    return list(await session.scalars(statement))


async def closing_notes(session: AsyncSession, signal_ids: list[int]) -> dict[int, str]:
    """The note of each signal's latest closing step (what the owner did)."""
    if not signal_ids:
        return {}
    statement = (
        select(AuditEventRow.signal_id, AuditEventRow.note)
        .where(
            col(AuditEventRow.signal_id).in_(signal_ids),
            col(AuditEventRow.to_status) == Status.AFGEHANDELD.value,
            col(AuditEventRow.from_status) != Status.AFGEHANDELD.value,
        )
        .order_by(col(AuditEventRow.id))
    )
    return {signal_id: note for signal_id, note in (await session.execute(statement)).all()}


async def status_changes(
    session: AsyncSession, *, start: datetime, end: datetime, limit: int = 1000
) -> list[tuple[AuditEventRow, SignalRow]]:
    """Every step that changed a signal's status (or created it) in [start, end), oldest first."""
    statement = (
        select(AuditEventRow, SignalRow)
        .join(SignalRow, col(SignalRow.id) == col(AuditEventRow.signal_id))
        .where(
            col(AuditEventRow.at) >= start,
            col(AuditEventRow.at) < end,
            (col(AuditEventRow.from_status).is_(None))
            | (col(AuditEventRow.from_status) != col(AuditEventRow.to_status)),
        )
        .order_by(col(AuditEventRow.at), col(AuditEventRow.id))
        .limit(limit)
    )
    return [(event, signal) for event, signal in (await session.execute(statement)).all()]
