"""Polling that loses nothing: store each batch of updates, then confirm it to Telegram.

python-telegram-bot's own updater confirms updates (moves the getUpdates offset) as soon as
it has fetched them, before our handlers commit: a crash in between loses those updates.
Here a batch is first stored in the inbox table, and only the next getUpdates call, with the
higher offset, confirms it. At start, stored updates whose effects were never committed are
handled again; the processed-update record keeps a replay from changing anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from kern.services import Services
from opslag import inbox

log = logging.getLogger(__name__)

REPLAY_WINDOW = timedelta(days=1)  # older unhandled updates are stale for the person who sent them


class InboxPoller:
    """Fetches updates, stores them durably, then hands them to the application."""

    def __init__(self, application: Application, services: Services, *, timeout: int = 10) -> None:
        self.application, self.services, self.timeout = application, services, timeout
        self.offset: int | None = None

    async def replay(self) -> int:
        """Hand over stored updates that were never handled (a crash came first)."""
        async with self.services.sessions() as session:
            rows = await inbox.unhandled(session, since=self.services.clock() - REPLAY_WINDOW)
        bot = self.application.bot
        for row in rows:
            await self.application.update_queue.put(Update.de_json(row.payload, bot))
        if rows:
            log.info("inbox: %d stored update(s) handled again after a restart", len(rows))
            self.offset = max(row.update_id for row in rows) + 1
        return len(rows)

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until `stopping` is set; network trouble only delays, it never drops."""
        backoff = 1.0
        while not stopping.is_set():
            try:
                updates = await self.application.bot.get_updates(
                    offset=self.offset,
                    timeout=self.timeout,
                    read_timeout=self.timeout + 10,
                    allowed_updates=Update.ALL_TYPES,
                )
            except RetryAfter as exc:
                await _sleep(stopping, _seconds(exc.retry_after))
                continue
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); retrying in %gs", type(exc).__name__, backoff)
                await _sleep(stopping, backoff)
                backoff = min(30.0, backoff * 2)
                continue
            backoff = 1.0
            if not updates:
                continue
            await self._keep(updates)

    async def _keep(self, updates: tuple[Update, ...]) -> None:
        """Store the batch in one transaction; only then may Telegram forget it."""
        while True:
            try:
                async with self.services.transaction() as session:
                    await inbox.store(
                        session, updates=[u.to_dict() for u in updates], at=self.services.clock()
                    )
                break
            except Exception:  # the database hiccuped: keep the batch, Telegram still has it
                log.exception("inbox: could not store %d update(s); retrying", len(updates))
                await asyncio.sleep(1.0)
        self.offset = max(u.update_id for u in updates) + 1
        for update in updates:
            await self.application.update_queue.put(update)


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


async def _sleep(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
