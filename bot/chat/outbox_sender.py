"""The outbox sender: drains queued messages within Telegram's limits, each exactly once.

About 29 messages a second overall, one a second per private chat, twenty a minute per group.
Each message is claimed, sent and marked in a transaction of its own, so a message Telegram
accepted is recorded at once and a crash later in the run does not send it again. A 429 pauses
only the chat it names, for its retry_after; timeouts and 5xx are retried with backoff; a
refused message (400/403) is marked failed and logged by id. PTB's AIORateLimiter is not used:
it ignores the per-chat limit and pauses every chat on one 429.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.chat.pacing import Budget, Limits, interval
from opslag import outbox
from opslag.database import SessionFactory, single_writer
from opslag.tabellen import OutboxMessage
from signalen.model import Clock

log = logging.getLogger(__name__)

# An edit that finds nothing to change has nothing left to do: the keyboard is already gone.
_EDIT_DONE = ("message is not modified", "message to edit not found")


class Timeouts(TypedDict):
    """Passed on every send. PTB's default 5 s read timeout gave up on sends Telegram completed
    later, and the retry doubled them; a slow answer is awaited instead."""

    read_timeout: float
    write_timeout: float
    connect_timeout: float
    pool_timeout: float


SEND_TIMEOUTS = Timeouts(
    read_timeout=30.0, write_timeout=30.0, connect_timeout=10.0, pool_timeout=10.0
)


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Outcome:
    """What one attempt came to: sent (error None) or to be tried again, or given up."""

    telegram_message_id: int | None = None
    error: str | None = None
    retry_in: float = 0.0
    give_up_after: int = 8


class _Unsendable(Exception):
    """A queued row this sender cannot turn into a Telegram call; retrying will not help."""


class OutboxSender:
    """Starts each chat's oldest due message as soon as pacing allows, until stopped."""

    def __init__(
        self,
        bot: Bot,
        sessions: SessionFactory,
        clock: Clock,
        limits: Limits | None = None,
        write_lock: asyncio.Lock | None = None,
        timeouts: Timeouts = SEND_TIMEOUTS,
    ) -> None:
        self.bot, self.sessions, self.clock = bot, sessions, clock
        self.write_lock = write_lock
        self.limits = limits or Limits()
        self.timeouts = timeouts
        self.stats = Stats()
        self._lock_rows = not single_writer(sessions)  # several workers may share PostgreSQL
        self._chat_free_at: dict[int, float] = {}
        self._busy: set[int] = set()  # chats with a send in flight
        self._settled_at: dict[int, float] = {}  # when each chat's last send was marked
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(
            self.limits.in_flight
            if self._lock_rows
            else max(self.limits.in_flight, self.limits.wave)
        )
        self._settled = asyncio.Event()  # a send finished: its chat may have a next message
        # Telegram's 30 a second, counted on its side; more only in tests that set a higher rate.
        self._budget = Budget(self.limits.per_second, max(30, int(self.limits.per_second) + 1))
        self._next_free = 0.0

    async def run(self, ready: asyncio.Event, stopping: asyncio.Event) -> None:
        """Send whenever told there is work (or every second), until `stopping` is set."""
        while not stopping.is_set():
            ready.clear()
            try:
                started = await self.drain_once()
            except Exception:  # keep sending after a database hiccup; the rows are still there
                log.exception("outbox pass failed; retrying")
                started = 0
            if not started:
                await self._idle(ready, stopping)
        await self._settle()

    async def drain(self, *, timeout: float = 30.0) -> None:
        """Send until nothing is due (for shutdown, tests and the demo).

        Sends still in flight at the deadline are awaited (each is bounded by the send
        timeouts): one Telegram accepted must be marked, or it would go out again.
        """
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if await self.drain_once():
                    continue
                if not self._tasks and not await self._anything_due():
                    return
                await self._idle()
        finally:
            await self._settle()

    async def drain_once(self) -> int:
        """Start sending each chat's oldest due message whose chat is free; return how many.

        The rows are read in a short transaction of their own; each send then claims its row
        again (on PostgreSQL with FOR UPDATE SKIP LOCKED) and marks it in its own transaction.
        """
        self._settled.clear()
        read_at = time.monotonic()
        async with self.sessions() as session:
            rows = await outbox.claim_pending(session, now=self.clock(), limit=self.limits.wave * 4)
        self._next_free = 0.0
        started = 0
        for message in rows:
            chat = message.chat_id
            if started >= self.limits.wave:
                break
            # A send of this chat finished since the read: this row may be the one it sent.
            if chat in self._busy or self._settled_at.get(chat, 0.0) >= read_at:
                continue
            free_at = self._chat_free_at.get(chat, 0.0)
            if free_at > time.monotonic():
                self._next_free = min(self._next_free or free_at, free_at)
                continue
            self._busy.add(chat)
            try:
                await self._slots.acquire()
            except BaseException:
                self._busy.discard(chat)
                raise
            self._chat_free_at[chat] = time.monotonic() + interval(
                message.chat_id, message.dedupe_key, self.limits
            )
            task = asyncio.create_task(self._deliver(message), name=f"outbox-{message.id}")
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._finished, chat=chat))
            started += 1
        return started

    async def _anything_due(self) -> bool:
        async with self.sessions() as session:
            return bool(await outbox.claim_pending(session, now=self.clock(), limit=1))

    async def _idle(self, *events: asyncio.Event) -> None:
        """Wait until told of work, a send finishes, a paced chat frees up, or a second."""
        wait = 1.0
        if self._next_free:
            wait = min(wait, max(0.01, self._next_free - time.monotonic()))
        waiters = [asyncio.ensure_future(e.wait()) for e in (*events, self._settled)]
        try:
            await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _settle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _finished(self, task: asyncio.Task[None], chat: int) -> None:
        self._tasks.discard(task)
        self._busy.discard(chat)
        self._settled_at[chat] = time.monotonic()
        self._slots.release()
        self._settled.set()

    # -- one message -------------------------------------------------------------------------
    async def _deliver(self, message: OutboxMessage) -> None:
        """Claim, send and mark one message, each message in a transaction of its own."""
        assert message.id is not None
        outcome: _Outcome | None = None
        try:
            if self._lock_rows:
                # The row stays locked from claim to mark, so no other worker sends it too.
                async with self.sessions() as session, session.begin():
                    row = await outbox.lock_unsent(session, message_id=message.id)
                    if row is None:
                        return  # another worker has it, or it went out meanwhile
                    async with self._budget.send():
                        outcome = await self._attempt(row)
                    await self._record(session, message.id, outcome)
                return
            # SQLite has one worker: the row was read just now and this chat is busy until
            # marked; only the marking write takes the write lock, never the network send.
            async with self._budget.send():
                outcome = await self._attempt(message)
            async with self.sessions() as session, self._writing(), session.begin():
                await self._record(session, message.id, outcome)
        except Exception:
            if outcome is None:
                log.exception("outbox %s: could not claim; it stays queued", message.id)
            else:
                await self._record_again(message.id, outcome)

    async def _record_again(self, message_id: int, outcome: _Outcome) -> None:
        """Retry a failed mark: an unrecorded send would be sent a second time."""
        for attempt in range(5):
            await asyncio.sleep(0.2 * 2**attempt)
            try:
                async with self.sessions() as session, self._writing(), session.begin():
                    await self._record(session, message_id, outcome)
                return
            except Exception:  # the database, most likely: busy, restarting, unreachable
                log.warning("outbox %s: marking failed (try %d)", message_id, attempt + 1)
        log.error("outbox %s: attempted but not marked; it may be sent again", message_id)

    def _writing(self) -> contextlib.AbstractAsyncContextManager[Any]:
        return self.write_lock if self.write_lock is not None else contextlib.nullcontext()

    async def _record(self, session: AsyncSession, message_id: int, outcome: _Outcome) -> None:
        if outcome.error is None:
            await outbox.record_sent(
                session,
                message_id=message_id,
                at=self.clock(),
                telegram_message_id=outcome.telegram_message_id,
            )
        else:
            await outbox.record_retry(
                session,
                message_id=message_id,
                error=outcome.error,
                not_before=self.clock() + timedelta(seconds=outcome.retry_in),
                give_up_after=outcome.give_up_after,
            )

    async def _attempt(self, message: OutboxMessage) -> _Outcome:
        """Send once and say what came of it; never raises for Telegram's answers."""
        try:
            telegram_message_id = await self._call(message)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            self.stats.throttled += 1
            self._chat_free_at[message.chat_id] = time.monotonic() + seconds
            log.warning(
                "outbox %s: 429 for chat %s, retry in %gs", message.id, message.chat_id, seconds
            )
            return _Outcome(
                error=f"429 retry after {seconds:g}s", retry_in=seconds, give_up_after=50
            )
        except (BadRequest, Forbidden, _Unsendable) as exc:
            self.stats.failed += 1
            log.error("outbox %s refused: %s", message.id, exc)
            return _Outcome(error=str(exc), give_up_after=1)
        except (NetworkError, TelegramError) as exc:  # timeouts and 5xx
            backoff = min(300.0, 2.0**message.attempts)
            self.stats.retried += 1
            if isinstance(exc, TimedOut):  # Telegram may still have it; nothing tells us
                log.warning(
                    "outbox %s: no answer within the timeouts; retry in %gs", message.id, backoff
                )
            else:
                log.warning("outbox %s: %s; retry in %gs", message.id, type(exc).__name__, backoff)
            return _Outcome(error=str(exc)[:200], retry_in=backoff)
        except Exception as exc:  # never let one message sink the others
            self.stats.retried += 1
            log.exception("outbox %s: unexpected error", message.id)
            return _Outcome(error=repr(exc)[:200], retry_in=60.0)
        self.stats.sent += 1
        return _Outcome(telegram_message_id=telegram_message_id)

    async def _call(self, message: OutboxMessage) -> int | None:
        """Send through PTB's own method for each kind of queued message; return its id."""
        payload, chat, timeouts = message.payload, message.chat_id, self.timeouts
        markup = _keyboard(payload, self.bot)
        if message.method == "sendMessage":
            preview = (
                LinkPreviewOptions(is_disabled=True)
                if payload.get("link_preview") is False
                else None
            )
            sent = await self.bot.send_message(
                chat,
                payload["text"],
                parse_mode=payload.get("parse_mode"),
                reply_markup=markup,
                link_preview_options=preview,
                **timeouts,
            )
        elif message.method == "sendPhoto":
            if "photo_b64" in payload:  # a chart made by the digest
                photo: str | bytes = base64.b64decode(payload["photo_b64"])
            else:
                photo = payload["photo"]
            sent = await self.bot.send_photo(
                chat,
                photo,
                caption=payload.get("caption"),
                parse_mode=payload.get("parse_mode"),
                reply_markup=markup,
                **timeouts,
            )
        elif message.method == "sendDocument":  # a photo the reporter sent as a file
            sent = await self.bot.send_document(
                chat,
                payload["document"],
                caption=payload.get("caption"),
                parse_mode=payload.get("parse_mode"),
                reply_markup=markup,
                **timeouts,
            )
        elif message.method == "sendLocation":
            sent = await self.bot.send_location(
                chat, latitude=payload["latitude"], longitude=payload["longitude"], **timeouts
            )
        elif message.method == "editMessageReplyMarkup":
            await self._remove_keyboard(chat, int(payload["message_id"]))
            return None
        else:
            raise _Unsendable(f"unknown outbox method {message.method!r}")
        return sent.message_id

    async def _remove_keyboard(self, chat: int, message_id: int) -> None:
        try:
            await self.bot.edit_message_reply_markup(chat, message_id, **self.timeouts)
        except BadRequest as exc:
            if not any(reason in exc.message.lower() for reason in _EDIT_DONE):
                raise


def _keyboard(
    payload: dict[str, Any], bot: Bot
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """Neutral buttons ([[{"text", "data"}]]) or a stored Telegram markup (a reply that
    could not be sent directly, or an older row)."""
    if payload.get("buttons"):
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row]
                for row in payload["buttons"]
            ]
        )
    markup = payload.get("reply_markup")
    if not markup:
        return None
    if "keyboard" in markup:
        return ReplyKeyboardMarkup.de_json(markup, bot)
    if markup.get("remove_keyboard"):
        return ReplyKeyboardRemove()
    return InlineKeyboardMarkup.de_json(markup, bot)
