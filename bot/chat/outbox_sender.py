"""The outbox sender: drains queued messages within Telegram's limits, each exactly once.

About 29 messages a second overall, one a second per private chat, twenty a minute per group.
A 429 pauses only the chat it names, for its retry_after; timeouts and 5xx are retried with
backoff; a refused message (400/403) is marked failed and logged by id. PTB's AIORateLimiter
is not used: it ignores the per-chat limit and pauses every chat on one 429.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from opslag import outbox
from opslag.database import SessionFactory
from opslag.tabellen import OutboxMessage
from signalen.model import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    per_second: float = 29.0  # Telegram allows 30; one less keeps clear of jitter
    private_interval: float = 1.0
    group_interval: float = 3.0  # 20 per minute
    wave: int = 30


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0


class OutboxSender:
    """Sends waves of at most one message per chat, paced overall, until stopped."""

    def __init__(
        self,
        bot: Bot,
        sessions: SessionFactory,
        clock: Clock,
        limits: Limits | None = None,
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self.bot, self.sessions, self.clock = bot, sessions, clock
        self.write_lock = write_lock
        self.limits = limits or Limits()
        self.stats = Stats()
        self._chat_free_at: dict[int, float] = {}
        self._next_slot = 0.0
        self._one_wave = asyncio.Lock()  # drain() may run beside run(); never send a row twice

    async def run(self, ready: asyncio.Event, stopping: asyncio.Event) -> None:
        """Drain whenever told there is work (or every second), until `stopping` is set."""
        while not stopping.is_set():
            ready.clear()
            try:
                sent = await self.drain_once()
            except Exception:  # keep sending after a database hiccup; the rows are still there
                log.exception("outbox wave failed; retrying")
                sent = 0
            if not sent:
                waiter = asyncio.ensure_future(ready.wait())
                stopper = asyncio.ensure_future(stopping.wait())
                await asyncio.wait(
                    {waiter, stopper}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                stopper.cancel()

    async def drain(self, *, timeout: float = 30.0) -> None:
        """Send until nothing is due (for shutdown, tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not await self.drain_once():
                async with self.sessions() as session:
                    claimable = await outbox.claim_pending(session, now=self.clock(), limit=1)
                if not claimable:
                    return
                await asyncio.sleep(0.05)

    async def drain_once(self) -> int:
        """Send one wave; returns how many messages were attempted.

        On PostgreSQL the claimed rows stay locked (FOR UPDATE SKIP LOCKED) until the wave is
        marked, so another worker never sends them too. SQLite runs a single worker: the read
        ends before sending and the marks are written under the process's write lock.
        """
        async with self._one_wave, self.sessions() as session:
            rows = await outbox.claim_pending(session, now=self.clock(), limit=self.limits.wave * 4)
            now = time.monotonic()
            wave = [r for r in rows if self._chat_free_at.get(r.chat_id, 0.0) <= now]
            wave = wave[: self.limits.wave]
            if self.write_lock is not None:
                await session.commit()
            tasks = []
            for message in wave:
                await self._pace()
                self._chat_free_at[message.chat_id] = time.monotonic() + (
                    self.limits.private_interval
                    if message.chat_id > 0
                    else self.limits.group_interval
                )
                tasks.append(asyncio.create_task(self._send(message)))
            await asyncio.gather(*tasks)
            async with self.write_lock or contextlib.nullcontext():
                await session.commit()
        return len(wave)

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._next_slot > now:
            await asyncio.sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + 1.0 / self.limits.per_second

    async def _send(self, message: OutboxMessage) -> None:
        try:
            await self._call(message)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            self.stats.throttled += 1
            self._chat_free_at[message.chat_id] = time.monotonic() + seconds
            outbox.mark_retry(
                message,
                error=f"429 retry after {seconds:g}s",
                not_before=self.clock() + timedelta(seconds=seconds),
                give_up_after=50,
            )
            log.warning(
                "outbox %s: 429 for chat %s, retry in %gs", message.id, message.chat_id, seconds
            )
        except (BadRequest, Forbidden) as exc:
            outbox.mark_retry(message, error=str(exc), not_before=self.clock(), give_up_after=1)
            self.stats.failed += 1
            log.error("outbox %s refused by Telegram: %s", message.id, exc.message)
        except (NetworkError, TelegramError) as exc:  # timeouts and 5xx
            backoff = min(300.0, 2.0**message.attempts)
            outbox.mark_retry(
                message, error=str(exc)[:200], not_before=self.clock() + timedelta(seconds=backoff)
            )
            self.stats.retried += 1
            log.warning("outbox %s: %s; retry in %gs", message.id, type(exc).__name__, backoff)
        except Exception as exc:  # never let one message sink the wave (others were sent)
            outbox.mark_retry(
                message, error=repr(exc)[:200], not_before=self.clock() + timedelta(seconds=60)
            )
            self.stats.retried += 1
            log.exception("outbox %s: unexpected error", message.id)
        else:
            outbox.mark_sent(message, at=self.clock())
            self.stats.sent += 1

    async def _call(self, message: OutboxMessage) -> None:
        """Send through PTB's own method for each kind of queued message."""
        payload = dict(message.payload)
        markup = payload.pop("reply_markup", None)
        reply_markup = InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
        if message.method == "sendMessage":
            await self.bot.send_message(
                message.chat_id,
                payload["text"],
                parse_mode=payload.get("parse_mode"),
                reply_markup=reply_markup,
            )
        elif message.method == "sendPhoto":
            if "photo_b64" in payload:  # a chart made by the digest
                photo: str | bytes = base64.b64decode(payload["photo_b64"])
            else:
                photo = payload["photo"]
            await self.bot.send_photo(
                message.chat_id,
                photo,
                caption=payload.get("caption"),
                parse_mode=payload.get("parse_mode"),
                reply_markup=reply_markup,
            )
        elif message.method == "sendLocation":
            await self.bot.send_location(
                message.chat_id, latitude=payload["latitude"], longitude=payload["longitude"]
            )
        else:
            raise ValueError(f"unknown outbox method {message.method!r}")
