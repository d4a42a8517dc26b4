"""The outbox sender against the simulator: every queued message arrives once, in its chat's
order, and is marked sent the moment Telegram accepts it."""

from __future__ import annotations

import asyncio
import base64
import inspect
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import select
from telegram import Bot

from bot.chat.outbox_sender import Limits, OutboxSender
from bot.simulator.server import BotApiSimulator
from opslag import outbox
from opslag.database import SessionFactory, make_engine, make_sessions, single_writer
from opslag.tabellen import OutboxMessage
from tests.conftest import PG_URL

# Pacing has tests of its own in the simulator's flood control; here it would only slow down.
FAST = Limits(private_interval=0.0, group_interval=0.0, per_second=1000.0)
CARD = [[{"text": "Oppakken", "data": "s:5:oppakken"}, {"text": "Afgerond", "data": "s:5:af"}]]


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def api(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as bot:
        yield bot


def make_sender(api: Bot, sessions: SessionFactory, limits: Limits = FAST) -> OutboxSender:
    lock = asyncio.Lock() if single_writer(sessions) else None
    return OutboxSender(api, sessions, now, limits, write_lock=lock)


async def queue(
    sessions: SessionFactory, *messages: tuple[str, int, dict[str, Any]], **kw: Any
) -> None:
    """Queue (dedupe key, chat, payload) messages in one transaction, in this order."""
    async with sessions.begin() as session:
        for key, chat, payload in messages:
            await outbox.enqueue(
                session, dedupe_key=key, chat_id=chat, payload=payload, at=now(), **kw
            )


def text(words: str, **extra: Any) -> dict[str, Any]:
    return {"text": words, "parse_mode": "HTML", **extra}


async def rows(sessions: SessionFactory) -> dict[str, OutboxMessage]:
    async with sessions() as session:
        return {row.dedupe_key: row for row in await session.scalars(select(OutboxMessage))}


async def until(condition: Callable[[], Any], *, timeout: float = 30.0) -> Any:
    """Wait until `condition()` (plain or awaitable) is truthy; generous, for noisy machines."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def sent(sessions: SessionFactory, *keys: str) -> Callable[[], Any]:
    async def check() -> bool:
        stored = await rows(sessions)
        return all(stored[key].sent_at is not None for key in keys)

    return check


@asynccontextmanager
async def sending(sender: OutboxSender, sim: BotApiSimulator) -> AsyncIterator[None]:
    """Run the sender in the background, as the bot does, for the length of the block."""
    ready, stopping = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(sender.run(ready, stopping))
    try:
        yield
    finally:
        sim.answer_delayed()
        stopping.set()
        await task


async def test_a_message_is_marked_sent_as_soon_as_telegram_accepts_it(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    sim.chats.update({1, 2})
    sim.delay_next("sendMessage", 60, chat_id=1)  # done at once, answered only when released
    await queue(sessions, ("slow", 1, text("Eerste bericht")), ("quick", 2, text("Tweede")))
    async with sending(make_sender(api, sessions), sim):
        await until(lambda: sim.bot_messages(1))  # Telegram has it; its answer is held back
        await until(sent(sessions, "quick"))
        slow = (await rows(sessions))["slow"]
        assert (slow.sent_at, slow.attempts) == (None, 0)  # still awaiting its answer, not given up
        sim.answer_delayed()
        await until(sent(sessions, "slow"))
    stored = await rows(sessions)
    assert [stored[key].message_id for key in ("slow", "quick")] == [
        sim.bot_messages(chat)[0].message_id for chat in (1, 2)
    ]
    assert sim.late_answers == 1 and not sim.sent_twice


async def test_a_slow_answer_is_awaited_and_nothing_is_sent_twice(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    chats = [1, 2, 3]
    sim.chats.update(chats)
    sim.delay_next("sendMessage", 7, chat_id=1)  # longer than PTB's default 5 s read timeout
    await queue(
        sessions, *[(f"{c}-{n}", c, text(f"Bericht {n} aan {c}")) for n in (1, 2) for c in chats]
    )
    sender = make_sender(api, sessions, Limits())
    async with sending(sender, sim):
        await until(sent(sessions, *[f"{c}-{n}" for n in (1, 2) for c in chats]))
    for chat in chats:
        assert [m.text for m in sim.bot_messages(chat)] == [
            f"Bericht {n} aan {chat}" for n in (1, 2)
        ]
    assert sim.late_answers == 1 and not sim.sent_twice and sender.stats.retried == 0
    assert {row.attempts for row in (await rows(sessions)).values()} == {1}


async def test_a_429_pauses_only_its_chat_which_then_keeps_its_order(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    paused, other = 1, 2
    sim.chats.update({paused, other})
    sim.fail_next("sendMessage", status=429, retry_after=5, chat_id=paused)
    arrivals: list[tuple[int, str | None]] = []
    sim.listeners.append(lambda message: arrivals.append((message.chat_id, message.text)))
    await queue(
        sessions, *[(f"{c}-{n}", c, text(f"{c}: {n}")) for n in (1, 2, 3) for c in (paused, other)]
    )
    sender = make_sender(api, sessions, Limits(private_interval=0.2))
    async with sending(sender, sim):
        await until(lambda: len(arrivals) == 6)
    assert arrivals == [(other, f"2: {n}") for n in (1, 2, 3)] + [
        (paused, f"1: {n}") for n in (1, 2, 3)
    ]
    first = (await rows(sessions))["1-1"]
    assert first.attempts == 2 and first.sent_at is not None and not first.failed
    assert sender.stats.throttled == 1 and not sim.sent_twice


async def test_removing_a_keyboard_counts_as_sent_even_when_it_is_already_gone(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    sim.chats.add(1)
    await queue(
        sessions, ("card", 1, text("Nieuwe melding WS-2026-000005", buttons=CARD)), signal_id=5
    )
    await make_sender(api, sessions).drain()
    card = (await rows(sessions))["card"]
    assert sim.bot_messages(1)[0].buttons() == [
        ("Oppakken", "s:5:oppakken"),
        ("Afgerond", "s:5:af"),
    ]
    edits = [("remove", card.message_id), ("again", card.message_id), ("missing", 999)]
    await queue(
        sessions,
        *[(key, 1, {"message_id": mid}) for key, mid in edits],
        method="editMessageReplyMarkup",
    )
    await make_sender(api, sessions).drain()
    assert sim.bot_messages(1)[0].buttons() == []
    stored = await rows(sessions)
    assert all(stored[key].sent_at and not stored[key].failed for key, _ in edits)
    assert [description for _, _, description in sim.refused] == [
        "Bad Request: message is not modified",
        "Bad Request: message to edit not found",
    ]


async def test_cards_of_a_signal_are_its_sent_messages_with_buttons(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    sim.chats.update({1, 2, 3})
    legacy = {"inline_keyboard": [[{"text": "Oppakken", "callback_data": "s:5:oppakken"}]]}
    await queue(
        sessions,
        ("owner", 1, text("Nieuwe melding", buttons=CARD)),
        ("reporter", 2, text("We hebben uw melding ontvangen")),
        ("coordinator", 3, text("Nieuwe melding", reply_markup=legacy)),
        signal_id=5,
    )
    await queue(sessions, ("other", 1, text("Andere melding", buttons=CARD)), signal_id=6)
    await make_sender(api, sessions).drain()
    async with sessions() as session:
        cards = await outbox.cards_of_signal(session, signal_id=5)
    assert [(c.dedupe_key, c.chat_id) for c in cards] == [("owner", 1), ("coordinator", 3)]
    assert [c.message_id for c in cards] == [
        sim.bot_messages(1)[0].message_id,
        sim.bot_messages(3)[0].message_id,
    ]
    assert sim.bot_messages(3)[0].buttons() == [("Oppakken", "s:5:oppakken")]
    stored = await rows(sessions)
    assert stored["reporter"].message_id == sim.bot_messages(2)[0].message_id  # stored for all


async def test_every_queued_kind_arrives_as_telegram_shows_it(
    api: Bot, sim: BotApiSimulator, sessions: SessionFactory
) -> None:
    chats = range(1, 7)
    sim.chats.update(chats)
    photo = sim.add_file(b"\xff\xd8jpeg")
    chart = base64.b64encode(b"\x89PNG chart").decode()
    await queue(
        sessions,
        ("text", 1, text("Zie <a href='https://example.org'>de kaart</a>", link_preview=False)),
    )
    await queue(
        sessions,
        ("photo", 2, {"photo": photo, "caption": "<b>Foto</b>", "parse_mode": "HTML"}),
        ("chart", 3, {"photo_b64": chart, "caption": "Overzicht"}),
        method="sendPhoto",
    )
    await queue(
        sessions,
        ("document", 4, {"document": photo, "caption": "Foto als bestand"}),
        ("too long", 5, {"document": photo, "caption": "x" * 1025}),
        method="sendDocument",
    )
    await queue(sessions, ("pin", 6, {"latitude": 52.25, "longitude": 6.16}), method="sendLocation")
    await make_sender(api, sessions).drain()
    [linked], [shown], [made], [document], [pin] = (sim.bot_messages(c) for c in (1, 2, 3, 4, 6))
    assert linked.text == "Zie de kaart" and linked.entities[0]["url"] == "https://example.org"
    assert (shown.photo, shown.caption) == (photo, "Foto")
    assert made.photo and sim.files[made.photo] == b"\x89PNG chart"
    assert (document.document, document.caption) == (photo, "Foto als bestand")
    assert pin.location == (52.25, 6.16)
    refused = (await rows(sessions))["too long"]
    assert refused.failed and "caption is too long" in (refused.last_error or "")
    assert not sim.bot_messages(5)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_two_senders_on_one_postgresql_database_send_each_message_once(
    engine: Any, sim: BotApiSimulator
) -> None:
    chats = list(range(1, 11))
    sim.chats.update(chats)
    engines = [make_engine(str(PG_URL)) for _ in range(2)]
    try:
        first = make_sessions(engines[0])
        await queue(first, *[(f"{c}-{n}", c, text(f"{c}: {n}")) for n in range(4) for c in chats])
        async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as api:
            senders = [make_sender(api, make_sessions(e)) for e in engines]
            await asyncio.gather(*(s.drain(timeout=60) for s in senders))
            await until(sent(first, *[f"{c}-{n}" for n in range(4) for c in chats]))
    finally:
        for other in engines:
            await other.dispose()
    for chat in chats:
        assert [m.text for m in sim.bot_messages(chat)] == [f"{chat}: {n}" for n in range(4)]
    assert sum(s.stats.sent for s in senders) == 40 and not sim.sent_twice
