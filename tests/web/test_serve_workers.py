"""`wijksignaal serve --workers 3` on PostgreSQL, as a municipality runs it: twenty residents
report by webhook while Telegram delivers every fifth update twice. Each report is stored once,
each owner card is sent once, and all workers together stay within Telegram's 30 sends a second."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator
from bot.web.inprocess import free_port
from opslag import contacten
from opslag.database import make_engine, make_sessions, upgrade
from opslag.tabellen import SignalRow
from tests.bot.helpers import report_waste
from tests.conftest import PG_URL
from tests.web.conftest import SECRET

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="WIJKSIGNAAL_TEST_DATABASE_URL not set (CI sets it)"
)
RESIDENTS = 20
WORKERS = 3


def wijksignaal() -> str:
    found = shutil.which("wijksignaal", path=str(Path(sys.executable).parent))
    assert found, "the wijksignaal command is installed beside python"
    return found


async def _empty_database(deventer: Any) -> dict[str, int]:
    """A migrated, empty PostgreSQL with every contact linked; returns contact -> chat."""
    assert PG_URL
    engine = make_engine(PG_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    chats = {contact: 3000 + n for n, contact in enumerate(deventer.contacts)}
    async with make_sessions(engine).begin() as session:
        for contact, chat in chats.items():
            await contacten.register_contact(
                session,
                contact_id=contact,
                telegram_user_id=chat,
                chat_id=chat,
                language="nl",
                at=datetime.now(UTC),
            )
    await engine.dispose()
    return chats


async def _started(process: subprocess.Popen[bytes], log: Path, url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.poll() is not None:
                raise AssertionError(f"serve stopped: {log.read_text()}")
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("serve did not start within 60 s")


def _duplicate_every_fifth(sim: BotApiSimulator) -> None:
    """Telegram re-delivers an update when our answer got lost: here every fifth one."""
    push = sim.push

    async def push_and_maybe_again(kind: str, payload: dict[str, Any]) -> int:
        update_id = await push(kind, payload)
        if update_id % 5 == 0:
            update = next(u for u in reversed(sim.delivered) if u["update_id"] == update_id)
            await sim.push_raw(update)
        return update_id

    sim.push = push_and_maybe_again  # type: ignore[method-assign]


async def test_three_workers_handle_twenty_residents_once_within_telegrams_limits(
    deventer, sim, tmp_path
) -> None:
    chats = await _empty_database(deventer)
    sim.chats.update(chats.values())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": PG_URL or "",
        "WIJKSIGNAAL_WEBHOOK_URL": f"{url}/telegram/updates",
        "WIJKSIGNAAL_WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "INFO",
    }
    command = [wijksignaal(), "serve", "--port", str(port), "--workers", str(WORKERS)]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=output)
    try:
        await _started(process, log, url)
        _duplicate_every_fifth(sim)
        residents = [SimUser(sim, 5001 + n, f"Bewoner {n}") for n in range(RESIDENTS)]
        references = await asyncio.gather(*(report_waste(r, timeout=60) for r in residents))
        assert len(set(references)) == RESIDENTS

        engine = make_engine(PG_URL or "")
        async with make_sessions(engine)() as session:
            signals = list(await session.scalars(select(SignalRow)))
        await engine.dispose()
        assert sorted(s.reference for s in signals) == sorted(references)
        owners = {s.reference: chats[s.contact_id] for s in signals}
        for reference, chat in owners.items():
            await sim.wait_for(
                chat, lambda m, r=reference: f"Nieuwe melding {r}" in m.body, timeout=30
            )
        await sim.quiet(1.0)
        cards = Counter(
            m.body.split("Nieuwe melding ")[1].split()[0]
            for chat in set(owners.values())
            for m in sim.bot_messages(chat)
            if "Nieuwe melding " in m.body
        )
        assert cards == Counter({reference: 1 for reference in references})
        assert sim.sent_twice == []
        busiest = sim.max_sends_per_second()
        print(f"{WORKERS} workers: {len(sim.delivered)} deliveries, busiest second {busiest} sends")
        assert busiest <= 30
        duplicates = sum(1 for u in sim.delivered if u["update_id"] % 5 == 0) // 2
        assert duplicates >= RESIDENTS, "every fifth update was really delivered twice"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            # Not process.wait(): it would block this event loop, where the simulator must
            # still answer the sends the workers have in flight while they stop.
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, log.read_text()
    assert "Traceback" not in log.read_text(), log.read_text()
