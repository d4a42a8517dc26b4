"""Telegram's global budget: about 30 messages a second per bot, counted on Telegram's side.

Sends are spaced evenly (`per_second`), and on top of that a new send starts only while fewer
than `per_window` sends are in flight or were answered within the last second. Telegram sees
each send at some moment between our request and its answer, so any second of Telegram's
clock holds at most `per_window` of them, however the network or a busy server bunches them
up (evenly spaced requests alone arrived as 32-34 in a second in a busy test).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    per_second: float = 29.0  # spacing; bot.chat.pacing also caps any second at 30
    private_interval: float = 1.0
    group_interval: float = 3.0  # 20 per minute
    wave: int = 30  # sends started per read of the queue
    # Sends awaiting their answer at once. On PostgreSQL each holds a pooled connection (its
    # row lock), so few; SQLite holds none while sending and allows a wave.
    in_flight: int = 8


def interval(chat_id: int, dedupe_key: str, limits: Limits) -> float:
    """How long this chat waits after this message. A reply in a private chat answers what the
    person just did (with several workers replies go through here, not directly), so it does
    not hold up the next one; Telegram's 429 still pauses the chat when it must."""
    if chat_id < 0:
        return limits.group_interval
    return 0.0 if ":reply" in dedupe_key else limits.private_interval


class Budget:
    def __init__(self, per_second: float, per_window: int = 30, window: float = 1.0) -> None:
        self.spacing = 1.0 / per_second
        self.per_window, self.window = per_window, window
        self._next_slot = 0.0
        self._answered: deque[float] = deque()
        self._in_flight = 0
        self._changed = asyncio.Event()

    @asynccontextmanager
    async def send(self) -> AsyncIterator[None]:
        """Hold this around one call to Telegram."""
        await self._take()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
            self._changed.set()

    async def _take(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.spacing
        if slot > now:
            await asyncio.sleep(slot - now)
        while True:
            now = time.monotonic()
            while self._answered and self._answered[0] <= now - self.window:
                self._answered.popleft()
            if len(self._answered) + self._in_flight < self.per_window:
                self._in_flight += 1
                return
            self._changed.clear()
            wait = self._answered[0] + self.window - now if self._answered else self.window
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=max(0.001, wait))
