"""Benchmark: complete reports through the real bot and the simulator, in every way it runs,
against a bare PTB echo bot, all in one run:

- polling on SQLite (`wijksignaal run`, in this process);
- webhook with 1 and with 2 workers on PostgreSQL (`wijksignaal serve`, a separate process
  with its uvicorn workers; the simulator delivers by webhook). The database is emptied:
  WIJKSIGNAAL_BENCH_DATABASE_URL, else WIJKSIGNAAL_TEST_DATABASE_URL, else the local test
  database postgresql+psycopg://postgres@127.0.0.1:5432/test.

With several workers every message goes through the one sending worker, inside Telegram's
30 messages a second for the whole bot, so reports/s there is bounded by 30 / messages per
report; the workers' CPU per update (read from /proc) is the cost that compares.

Run: .venv/bin/python bench/conversations.py [REPORTS] [CONCURRENT_USERS]
Targets: >= 100 reports/s; cost per update <= 2x the echo bot's, measured in the same run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text
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
    await user.expect("Mogen we contact")
    await user.taps("Nee, anoniem")
    await user.expect("Klopt dit?")
    await user.taps("Versturen")
    await user.expect("We hebben uw melding ontvangen")


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


PG_URL = (
    os.environ.get("WIJKSIGNAAL_BENCH_DATABASE_URL")
    or os.environ.get("WIJKSIGNAAL_TEST_DATABASE_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _cpu_seconds(parent: int) -> float:
    """User + system CPU of a process and its children (the uvicorn workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == parent or int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def _empty_postgresql() -> None:
    engine = make_engine(PG_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    await engine.dispose()


async def measure_webhook(
    reports: int, concurrency: int, workers: int
) -> tuple[float, float, float]:
    """Reports/s, wall seconds per update, and the workers' CPU seconds per update."""
    await _empty_postgresql()
    sim = BotApiSimulator()
    await sim.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": PG_URL,
        "WIJKSIGNAAL_WEBHOOK_URL": f"{url}/telegram/updates",
        "WIJKSIGNAAL_WEBHOOK_SECRET": "bench-secret",
        "LOG_LEVEL": "WARNING",
    }
    command = shutil.which("wijksignaal", path=str(Path(sys.executable).parent)) or "wijksignaal"
    args = [command, "serve", "--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(args, env=env, cwd=tmp, stderr=subprocess.DEVNULL)
        try:
            async with httpx.AsyncClient() as client:
                while True:
                    try:
                        if (await client.get(f"{url}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
            await asyncio.sleep(3.0)  # every worker up, not only the first
            users = [SimUser(sim, 30_000 + n, f"W{n}") for n in range(concurrency)]
            cpu = _cpu_seconds(process.pid)
            seconds = await drive(users, one_report, reports // concurrency)
            cpu = _cpu_seconds(process.pid) - cpu
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    await sim.stop()
    done = (reports // concurrency) * concurrency
    updates = done * STEPS_PER_REPORT
    return done / seconds, seconds / updates, cpu / updates


async def main() -> None:
    reports = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    echo_per_update = await measure_echo(reports * STEPS_PER_REPORT, concurrency)
    rate, per_update = await measure_wijksignaal(reports, concurrency)
    hooks = {n: await measure_webhook(reports, concurrency, n) for n in (1, 2)}
    print(
        f"{reports} reports by {concurrency} concurrent residents, {STEPS_PER_REPORT} updates each"
    )
    print(f"bare PTB echo bot (polling)   : {echo_per_update * 1000:.2f} ms per update")
    print(
        f"polling, SQLite               : {per_update * 1000:.2f} ms per update, {rate:.1f} "
        f"reports/s, {per_update / echo_per_update:.2f}x echo"
    )
    for n, (hook_rate, hook_per_update, cpu) in hooks.items():
        name = f"webhook, {n} worker{'s' if n > 1 else ''}, PostgreSQL"
        print(
            f"{name:30}: {hook_per_update * 1000:.2f} ms per update, {hook_rate:.1f} reports/s, "
            f"{hook_per_update / echo_per_update:.2f}x echo; workers' CPU {cpu * 1000:.2f} ms "
            "per update"
        )
    print("targets: >= 100 reports/s; cost per update <= 2x echo")


if __name__ == "__main__":
    asyncio.run(main())
