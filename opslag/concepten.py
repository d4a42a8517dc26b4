"""Conversation drafts and seen updates: chat state that survives restarts and other workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import col

from opslag.gedeeld import insert_ignore
from opslag.tabellen import DraftRow, ProcessedUpdate


async def load_draft(session: AsyncSession, *, chat_id: int) -> DraftRow | None:
    return await session.get(DraftRow, chat_id)


async def save_draft(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    step: str,
    data: dict[str, Any],
    at: datetime,
) -> DraftRow:
    """Create or replace the draft of a chat."""
    draft = await session.get(DraftRow, chat_id)
    if draft is None:
        draft = DraftRow(chat_id=chat_id, user_id=user_id, step=step, data=data, updated_at=at)
    else:
        draft.user_id, draft.step, draft.data, draft.updated_at = user_id, step, dict(data), at
        flag_modified(draft, "data")  # handlers change nested lists in place; always write
    session.add(draft)
    return draft


async def delete_draft(session: AsyncSession, *, chat_id: int) -> None:
    await session.execute(delete(DraftRow).where(col(DraftRow.chat_id) == chat_id))


async def first_delivery(session: AsyncSession, *, update_id: int, at: datetime) -> bool:
    """Record an update id; False means it was handled before and must change nothing."""
    return await insert_ignore(session, ProcessedUpdate, {"update_id": update_id, "at": at})
