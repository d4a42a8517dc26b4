"""Benchmark: 1,000 queued messages to 1,000 chats through the outbox sender, against the
simulator enforcing Telegram's flood limits (30/s overall, 1/s per chat, 20/min per group);
then 100 more of which ten are answered 7 s late (past PTB's default 5 s read timeout).

Run: .venv/bin/python bench/outbox.py [MESSAGES]
Targets: >= 28 messages/s, zero 429s, nothing sent twice, nothing left queued.
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
from opslag.database import SessionFactory, make_engine, make_sessions, single_writer, upgrade


async def run(count: int, *, late: int = 0) -> str:
    """Send `count` messages to as many chats, `late` of them answered 7 s late; describe it."""
    sim = BotApiSimulator(flood_control=FloodControl())
    await sim.start()
    chats = range(1, count + 1)
    sim.chats.update(chats)
    if late:  # spread over the queue, as slow answers come in real life
        for chat in chats[:: count // late][:late]:
            sim.delay_next("sendMessage", 7.0, chat_id=chat)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'outbox.db'}")
        await upgrade(engine)
        sessions = make_sessions(engine)
        await _queue(sessions, chats)
        async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as bot:
            lock = asyncio.Lock() if single_writer(sessions) else None
            sender = OutboxSender(bot, sessions, utc_now, write_lock=lock)
            started = time.perf_counter()
            await sender.drain(timeout=600)
            seconds = time.perf_counter() - started
        async with sessions() as session:
            left = await outbox.pending_count(session)
        await engine.dispose()
    await sim.stop()
    delivered = sum(len(sim.bot_messages(c)) for c in chats)
    too_many = sum(1 for _, code, _ in sim.refused if code == 429)
    return (
        f"{delivered}/{count} delivered in {seconds:.1f} s ({delivered / seconds:.1f} msg/s); "
        f"answered late: {sim.late_answers}; 429s seen: {too_many}; "
        f"retried: {sender.stats.retried}; sent twice: {len(sim.sent_twice)}; still queued: {left}"
    )


async def _queue(sessions: SessionFactory, chats: range) -> None:
    async with sessions.begin() as session:
        for chat in chats:
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


async def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"flood limits: {await run(count)} (targets: >= 28 msg/s, 0 × 429, 0 sent twice)")
    print(
        f"slow answers: {await run(100, late=10)} (targets: 0 sent twice, 0 queued; "
        "the drain ends with the last late answer)"
    )


if __name__ == "__main__":
    asyncio.run(main())
