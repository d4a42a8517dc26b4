"""Process updates of different chats at the same time, and those of one chat in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """PTB's concurrent updates, with one lane per chat.

    PTB's own concurrency lets two updates of one chat overtake each other (a quick double tap);
    its default processes everything one by one, so one slow chat holds up all others. A FIFO
    lock per chat gives both: order within a chat, and chats that do not wait for each other.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._lanes: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._lanes.get(chat.id, (asyncio.Lock(), 0))
        self._lanes[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._lanes[chat.id]
            if users == 1:
                del self._lanes[chat.id]
            else:
                self._lanes[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
