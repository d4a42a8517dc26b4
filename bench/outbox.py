"""Benchmark: 1,000 queued messages to 1,000 chats through the outbox sender, against the
simulator enforcing Telegram's flood limits (30/s overall, 1/s per chat, 20/min per group).

Run: .venv/bin/python bench/outbox.py [MESSAGES]
Targets: >= 28 messages/s and zero 429s.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from telegram import Bot

from bot.chat.outbox_sender import OutboxSender
from bot.chat.polling import utc_now
from bot.simulator.server import BotApiSimulator, FloodControl
from opslag import outbox
from opslag.database import make_engine, make_sessions, single_writer, upgrade


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    sim = BotApiSimulator(flood_control=FloodControl())
    await sim.start()
    sim.chats.update(range(1, count + 1))
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'outbox.db'}")
        await upgrade(engine)
        sessions = make_sessions(engine)
        async with sessions.begin() as session:
            for chat in range(1, count + 1):
                await outbox.enqueue(
                    session,
                    dedupe_key=f"bench:{chat}",
                    chat_id=chat,
                    at=utc_now(),
                    payload={
                        "text": f"Uw melding WS-2026-{chat:06d} is opgepakt.",
                        "parse_mode": "HTML",
                    },
                )
        bot = Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url)
        async with bot:
            lock = asyncio.Lock() if single_writer(sessions) else None
            sender = OutboxSender(bot, sessions, utc_now, write_lock=lock)
            started = time.perf_counter()
            await sender.drain(timeout=600)
            seconds = time.perf_counter() - started
        async with sessions() as session:
            left = await outbox.pending_count(session)
        await engine.dispose()
    await sim.stop()
    delivered = sum(len(sim.bot_messages(c)) for c in range(1, count + 1))
    too_many = sum(1 for _, code, _ in sim.refused if code == 429)
    print(
        f"{delivered}/{count} messages delivered in {seconds:.1f} s: {delivered / seconds:.1f} msg/s "
        f"(target >= 28); 429s seen: {too_many} (target 0); still queued: {left}; "
        f"sent twice: {sum(max(0, len(sim.bot_messages(c)) - 1) for c in range(1, count + 1))}"
    )


if __name__ == "__main__":
    asyncio.run(main())
