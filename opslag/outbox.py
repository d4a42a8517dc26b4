"""The outbox: messages to send, queued in the transaction that caused them, sent once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.gedeeld import dialect, insert_ignore
from opslag.tabellen import OutboxMessage

# The channel the sending worker LISTENs on (bot/chat/duties.py).
CHANNEL = "wijksignaal_outbox"
_NOTIFY = text(f"NOTIFY {CHANNEL}")


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    payload: dict[str, Any],
    at: datetime,
    method: str = "sendMessage",
    signal_id: int | None = None,
) -> bool:
    """Queue a message; a second message with the same dedupe key is ignored (returns False)."""
    session.info["outbox_queued"] = True  # tells the caller to wake the sender after commit
    if dialect(session) == "postgresql" and not session.info.get("outbox_notified"):
        # Wakes the sending worker, whichever it is, when this transaction commits.
        await session.execute(_NOTIFY)
        session.info["outbox_notified"] = True
    return await insert_ignore(
        session,
        OutboxMessage,
        {
            "dedupe_key": dedupe_key,
            "chat_id": chat_id,
            "method": method,
            "payload": payload,
            "created_at": at,
            "not_before": at,
            "attempts": 0,
            "failed": False,
            "signal_id": signal_id,
        },
    )


async def claim_pending(
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> list[OutboxMessage]:
    """Return the oldest unsent message of each chat, if it is due, oldest first.

    Later messages of a chat wait for the earlier ones, so each chat keeps its order even
    while one message waits out a 429. A row another worker is sending is skipped when it
    is locked for sending (`lock_unsent`).
    """
    first_per_chat = (
        select(func.min(OutboxMessage.id))
        .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(False))
        .group_by(col(OutboxMessage.chat_id))
    )
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(first_per_chat), col(OutboxMessage.not_before) <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    # No row lock here: each message is locked (SKIP LOCKED) when it is sent, in
    # `lock_unsent`. Locking the first row of every chat on this read made a chat's next
    # message invisible to the other workers' reads for as long as any read held it.
    return list(await session.scalars(statement))


async def lock_unsent(session: AsyncSession, *, message_id: int) -> OutboxMessage | None:
    """Return the message if it is still to be sent, locked until the transaction ends.

    On PostgreSQL a row another worker holds is skipped (None), so no two workers send it;
    SQLite runs one worker and reads it plainly.
    """
    statement = select(OutboxMessage).where(
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.failed).is_(False),
    )
    if dialect(session) == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return (await session.scalars(statement)).first()


async def pending_count(session: AsyncSession) -> int:
    statement = select(func.count()).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.failed).is_(False)
    )
    return int((await session.execute(statement)).scalar_one())


async def record_sent(
    session: AsyncSession, *, message_id: int, at: datetime, telegram_message_id: int | None
) -> None:
    """Mark a message sent, with the id Telegram gave it (edits have none of their own)."""
    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.sent_at).is_(None))
        .values(
            sent_at=at,
            attempts=col(OutboxMessage.attempts) + 1,
            last_error=None,
            message_id=telegram_message_id,
        )
    )


async def record_retry(
    session: AsyncSession,
    *,
    message_id: int,
    error: str,
    not_before: datetime,
    give_up_after: int = 8,
) -> None:
    """Record a failed attempt; after `give_up_after` attempts the message is marked failed."""
    attempts = col(OutboxMessage.attempts) + 1
    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.sent_at).is_(None))
        .values(
            attempts=attempts,
            last_error=error[:500],
            not_before=not_before,
            failed=attempts >= give_up_after,
        )
    )


async def cards_of_signal(session: AsyncSession, *, signal_id: int) -> list[OutboxMessage]:
    """Sent messages of a signal that carry buttons, oldest first: the cards to disarm when
    the signal moves on (each has the Telegram message id to edit)."""
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.signal_id) == signal_id,
            col(OutboxMessage.sent_at).is_not(None),
            col(OutboxMessage.message_id).is_not(None),
        )
        .order_by(col(OutboxMessage.id))
    )
    # Filtered here, not in SQL: JSON operators differ between SQLite and PostgreSQL, and a
    # signal has a handful of rows.
    return [
        row
        for row in await session.scalars(statement)
        if row.payload.get("buttons") or row.payload.get("reply_markup")
    ]


def mark_sent(
    message: OutboxMessage, *, at: datetime, telegram_message_id: int | None = None
) -> None:
    message.sent_at = at
    message.attempts += 1
    message.last_error = None
    message.message_id = telegram_message_id


def mark_retry(
    message: OutboxMessage, *, error: str, not_before: datetime, give_up_after: int = 8
) -> None:
    """Record a failed attempt; after `give_up_after` attempts the message is marked failed."""
    message.attempts += 1
    message.last_error = error[:500]
    message.not_before = not_before
    message.failed = message.attempts >= give_up_after


async def settle_replies(
    session: AsyncSession, *, sent: list[str], postponed: list[str], at: datetime, due: datetime
) -> None:
    """After direct sending: mark what went out as sent; let the sender retry the rest."""
    if sent:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).in_(sent), col(OutboxMessage.sent_at).is_(None))
            .values(sent_at=at, attempts=OutboxMessage.attempts + 1)
        )
    if postponed:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).in_(postponed))
            .values(not_before=due)
        )
