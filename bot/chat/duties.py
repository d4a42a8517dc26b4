"""The sending worker: one at a time, across every worker on one database.

Telegram's limits are per bot, not per process, and what the ticker finds due should be acted on
by one worker. So one worker is the sending worker: it runs the outbox sender and the ticker.

- On SQLite there is one worker, and it is the sending worker.
- On PostgreSQL every worker tries to take a session-level advisory lock on a connection of its
  own. The one that holds it sends and ticks, and LISTENs on the channel every transaction that
  queues a message NOTIFYs (`opslag.outbox.enqueue`), so what another worker queued goes out
  within milliseconds. When the sending worker dies its connection closes, PostgreSQL releases
  the lock and another worker takes over within `RETRY` seconds. When the lock connection
  breaks, the worker stops sending at once: another may already hold the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from telegram.ext import Application, ContextTypes

from bot.chat.outbox_sender import OutboxSender
from kern.services import Services
from kern.ticker import in_quiet_hour, tick
from opslag.outbox import CHANNEL

log = logging.getLogger(__name__)

LOCK_KEY = 0x5753_4F42  # any fixed number: "WSOB"
RETRY = 2.0  # seconds between attempts to become the sending worker
HEALTH = 2.0  # seconds between checks that the lock connection is still alive


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Wake up: do what is due (APScheduler via PTB's JobQueue is only the alarm clock)."""
    services: Services = context.bot_data["services"]
    now = services.clock()
    if in_quiet_hour(now):
        return
    report = await tick(services, now)
    if report.timers or report.digests:
        log.info("tick: %d timers, %d digests", report.timers, report.digests)


@asynccontextmanager
async def sending_and_ticking(
    application: Application, sender: OutboxSender, services: Services, tick_seconds: float
) -> AsyncIterator[None]:
    """Run the outbox sender and the ticker until the block ends."""
    until = asyncio.Event()
    task = asyncio.create_task(sender.run(services.outbox_ready, until), name="outbox-sender")
    job = None
    if tick_seconds and application.job_queue is not None:
        job = application.job_queue.run_repeating(
            _tick_job, interval=tick_seconds, first=tick_seconds, name="ticker"
        )
    try:
        yield
    finally:
        if job is not None and application.running:  # a stopped application has no jobs
            job.schedule_removal()
        until.set()
        services.outbox_ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class SendingWorker:
    """Becomes the sending worker when it can, and gives it up when it must."""

    def __init__(
        self,
        application: Application,
        sender: OutboxSender,
        services: Services,
        *,
        tick_seconds: float,
    ) -> None:
        self.application, self.sender, self.services = application, sender, services
        self.tick_seconds = tick_seconds
        url = services.sessions.kw["bind"].url
        self.postgres = url.get_backend_name() == "postgresql"
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.leading = asyncio.Event()  # set while this worker is the sending worker

    async def run(self, stopping: asyncio.Event) -> None:
        if not self.postgres:
            await self._lead_until(stopping.wait())
            return
        while not stopping.is_set():
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True
                ) as connection:
                    if await self._take_lock(connection, stopping):
                        await self._lead_until(self._listen(connection, stopping))
            except psycopg.Error as exc:
                log.warning("sending worker: lock connection lost (%s)", type(exc).__name__)
            await _sleep(stopping, RETRY)

    async def _take_lock(
        self, connection: psycopg.AsyncConnection, stopping: asyncio.Event
    ) -> bool:
        while not stopping.is_set():
            row = await (
                await connection.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            ).fetchone()
            if row and row[0]:
                return True
            await _sleep(stopping, RETRY)
        return False

    async def _listen(self, connection: psycopg.AsyncConnection, stopping: asyncio.Event) -> None:
        """Wake the sender on every NOTIFY; return when stopping, raise when the link breaks."""
        await connection.execute(f"LISTEN {CHANNEL}")
        while not stopping.is_set():
            async for _ in connection.notifies(timeout=HEALTH):
                self.services.outbox_ready.set()
                if stopping.is_set():
                    break
            await connection.execute("SELECT 1")  # raises when the connection (the lock) is gone

    async def _lead_until(self, done: object) -> None:
        log.info("this worker sends and ticks")
        self.leading.set()
        try:
            async with sending_and_ticking(
                self.application, self.sender, self.services, self.tick_seconds
            ):
                await done  # type: ignore[misc]
        finally:
            self.leading.clear()
            log.info("this worker no longer sends")


async def _sleep(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
