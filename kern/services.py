"""What every use case needs, built once at start: the config, the database, texts, a clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kern.texts import Texts
from opslag.database import SessionFactory, single_writer
from regels.gemeente import Municipality
from signalen.model import Clock


@dataclass
class Services:
    """What every handler needs, built once at start and kept in bot_data."""

    municipality: Municipality
    sessions: SessionFactory
    texts: Texts
    clock: Clock
    bot_username: str = "wijksignaal_bot"
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    sender: Any = None  # the OutboxSender of this worker, once running
    write_lock: asyncio.Lock | None = None
    retention_due: datetime | None = None  # the ticker applies retention every few minutes
    # Replies go straight to Telegram after the commit. With several workers only the one
    # sending worker may talk to Telegram (its limits are global), so replies wait for it.
    direct_replies: bool = True

    def __post_init__(self) -> None:
        # SQLite has one writer at a time and its busy-wait backs off up to 100 ms per try, so
        # concurrent handlers queue here, fairly, instead of inside SQLite. PostgreSQL locks rows.
        if self.write_lock is None and single_writer(self.sessions):
            self.write_lock = asyncio.Lock()

    def writing(self) -> AbstractAsyncContextManager[Any]:
        """Hold this while writing (SQLite: one write transaction at a time in this process)."""
        return self.write_lock if self.write_lock is not None else nullcontext()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction, committed on success.

        The write lock covers the transaction only: SQLAlchemy closes an async session in a
        task of its own, which takes several turns of the event loop, so closing happens
        after the lock is released and the next writer can begin meanwhile.
        """
        async with self.sessions() as session, self.writing(), session.begin():
            yield session
