"""The inbox: updates kept from the moment they arrive until their effects are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.gedeeld import insert_ignore
from opslag.tabellen import InboxUpdate, ProcessedUpdate


async def store(session: AsyncSession, *, updates: list[dict[str, Any]], at: datetime) -> None:
    """Keep these raw updates; one already kept (a re-delivery) is left as it is."""
    for update in updates:
        await insert_ignore(
            session,
            InboxUpdate,
            {"update_id": update["update_id"], "payload": update, "received_at": at},
        )


async def unhandled(
    session: AsyncSession, *, since: datetime, limit: int = 1000
) -> list[InboxUpdate]:
    """Kept updates whose effects were never stored (a crash came first), oldest first."""
    handled = select(ProcessedUpdate.update_id).where(
        col(ProcessedUpdate.update_id) == col(InboxUpdate.update_id)
    )
    statement = (
        select(InboxUpdate)
        .where(col(InboxUpdate.received_at) >= since, ~handled.exists())
        .order_by(col(InboxUpdate.update_id))
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def prune(session: AsyncSession, *, before: datetime) -> None:
    """Forget updates received before `before` (their effects, if any, are long stored)."""
    await session.execute(delete(InboxUpdate).where(col(InboxUpdate.received_at) < before))
