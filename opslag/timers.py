"""Timers: what is due when (reminders, escalations, digests), claimed once by one worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.gedeeld import dialect, insert_ignore
from opslag.tabellen import TimerRow


async def schedule(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    due_at: datetime,
    signal_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> bool:
    """Add a timer; a cancelled one with the same key comes back, a fired one stays done.

    Returns False when a timer with this key already exists and is left as it is.
    """
    added = await insert_ignore(
        session,
        TimerRow,
        {
            "key": key,
            "kind": kind,
            "due_at": due_at,
            "signal_id": signal_id,
            "data": data or {},
            "cancelled": False,
        },
    )
    if added:
        return True
    existing = (await session.scalars(select(TimerRow).where(col(TimerRow.key) == key))).first()
    if existing is None or not existing.cancelled:
        return False
    existing.cancelled, existing.done_at, existing.due_at = False, None, due_at
    existing.data = data or {}
    session.add(existing)
    return True


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = 200) -> list[TimerRow]:
    """Return due, open timers; on PostgreSQL rows locked by another worker are skipped."""
    statement = (
        select(TimerRow)
        .where(col(TimerRow.done_at).is_(None), col(TimerRow.due_at) <= now)
        .order_by(col(TimerRow.due_at))
        .limit(limit)
    )
    if dialect(session) == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return list(await session.scalars(statement))


def mark_done(timer: TimerRow, *, at: datetime) -> None:
    timer.done_at = at


def cancel(timer: TimerRow, *, at: datetime) -> None:
    timer.done_at, timer.cancelled = at, True


async def pending_for_signal(session: AsyncSession, *, signal_id: int) -> list[TimerRow]:
    statement = select(TimerRow).where(
        col(TimerRow.signal_id) == signal_id, col(TimerRow.done_at).is_(None)
    )
    return list(await session.scalars(statement))
