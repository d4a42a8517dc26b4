"""Benchmark: complete reports through the real bot + simulator + SQLite, against a bare PTB echo bot.

Run: .venv/bin/python bench/conversations.py [REPORTS] [CONCURRENT_USERS]
Targets: >= 100 reports/s; cost per update <= 2x the echo bot's, measured in the same run.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.chat.app import running
from bot.chat.polling import utc_now
from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator
from kern.services import Services
from kern.texts import Texts
from opslag.database import make_engine, make_sessions, upgrade
from regels.laden import load_municipality

STEPS_PER_REPORT = 7  # text, confirm theme, street, no photo, urgency, contact, send


async def one_report(user: SimUser) -> None:
    await user.says("Vuilniszakken naast de ondergrondse container")
    await user.expect("Gaat uw melding over")
    await user.taps("Ja")
    await user.expect("Waar is het?")
    await user.says("Rijnstraat 12")
    await user.expect("Wilt u er een foto")
    await user.taps("Geen foto")
    await user.expect("Hoe dringend")
    await user.taps("Normaal")
    await user.expect("Mag de behandelaar")
    await user.taps("Anoniem")
    await user.expect("Klopt dit?")
    await user.taps("Versturen")
    await user.expect("Uw melding is ontvangen")


async def echo_round(user: SimUser, n: int) -> None:
    for i in range(n):
        await user.says(f"echo {i}")
        await user.expect(f"echo {i}")


async def drive(users: list[SimUser], work, per_user: int) -> float:
    started = time.perf_counter()
    queue: asyncio.Queue[SimUser] = asyncio.Queue()
    for user in users:
        queue.put_nowait(user)

    async def worker() -> None:
        while not queue.empty():
            user = queue.get_nowait()
            for _ in range(per_user):
                await work(user)

    await asyncio.gather(*(worker() for _ in range(len(users))))
    return time.perf_counter() - started


async def measure_echo(updates: int, concurrency: int) -> float:
    sim = BotApiSimulator()
    await sim.start()

    async def echo(update: Update, _) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.api_url)
        .base_file_url(sim.file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        users = [SimUser(sim, 10_000 + n, f"E{n}") for n in range(concurrency)]
        per_user = updates // concurrency
        seconds = await drive(users, lambda u: echo_round(u, per_user), 1)
        await app.updater.stop()
        await app.stop()
    await sim.stop()
    return seconds / (per_user * concurrency)


async def measure_wijksignaal(reports: int, concurrency: int) -> tuple[float, float]:
    sim = BotApiSimulator()
    await sim.start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await upgrade(engine)
        services = Services(
            municipality=load_municipality(),
            sessions=make_sessions(engine),
            texts=Texts(),
            clock=utc_now,
        )
        async with running(
            services, token=sim.token, api_url=sim.api_url, file_url=sim.file_url, poll_timeout=1
        ):
            users = [SimUser(sim, 20_000 + n, f"B{n}") for n in range(concurrency)]
            seconds = await drive(users, one_report, reports // concurrency)
        await engine.dispose()
    await sim.stop()
    done = (reports // concurrency) * concurrency
    return done / seconds, seconds / (done * STEPS_PER_REPORT)


async def main() -> None:
    reports = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    echo_per_update = await measure_echo(reports * STEPS_PER_REPORT, concurrency)
    rate, per_update = await measure_wijksignaal(reports, concurrency)
    print(
        f"{reports} reports by {concurrency} concurrent residents, {STEPS_PER_REPORT} updates each"
    )
    print(f"bare PTB echo bot : {echo_per_update * 1000:.2f} ms per update")
    print(
        f"wijksignaal       : {per_update * 1000:.2f} ms per update, {rate:.0f} reports/s "
        f"(target >= 100)"
    )
    print(f"cost per update relative to echo: {per_update / echo_per_update:.2f}x (target <= 2x)")


if __name__ == "__main__":
    asyncio.run(main())
