"""`wijksignaal serve` as an administrator starts it: clear refusals, then a real process that
registers its webhook, answers by it, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator
from bot.web.inprocess import free_port
from tests.web.conftest import SECRET


async def _wijksignaal(*args: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


def _env(sim: BotApiSimulator, tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "WIJKSIGNAAL_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/updates",
        "WIJKSIGNAAL_WEBHOOK_SECRET": SECRET,
        "LOG_LEVEL": "INFO",
        **extra,
    }


async def test_serve_refuses_what_cannot_work_and_says_why(sim, tmp_path) -> None:
    env = _env(sim, tmp_path, 8080)
    process = await _wijksignaal("serve", "--workers", "2", env=env, cwd=tmp_path)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "needs PostgreSQL" in output.decode()

    env = _env(
        sim, tmp_path, 8080, WIJKSIGNAAL_WEBHOOK_SECRET="has spaces", WIJKSIGNAAL_WEBHOOK_URL=""
    )
    process = await _wijksignaal("serve", env=env, cwd=tmp_path)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    said = output.decode()
    assert process.returncode == 2
    assert "WIJKSIGNAAL_WEBHOOK_URL is not set" in said
    assert "WIJKSIGNAAL_WEBHOOK_SECRET must be" in said
    assert sim.calls["setWebhook"] == 0


async def test_serve_registers_its_webhook_answers_by_it_and_stops_cleanly(sim, tmp_path) -> None:
    port = free_port()
    process = await _wijksignaal(
        "serve", "--port", str(port), env=_env(sim, tmp_path, port), cwd=tmp_path
    )
    try:
        user = SimUser(sim, 4343, "Sanne")
        await user.says("/start")
        await user.expect("Hier meldt u problemen", timeout=60)
        assert sim.webhook_posts >= 1
        assert [c["command"] for c in sim.command_menus[""]][:2] == ["melden", "mijnmeldingen"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    log = output.decode()
    # uvicorn stops gracefully, then dies of the SIGTERM it caught so a supervisor sees it.
    assert process.returncode in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log and "this worker no longer sends" in log
    assert "Sanne" not in log  # logs carry ids, not names
    assert "Traceback" not in log, log


async def test_the_demo_plays_by_webhook(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = await _wijksignaal("demo", "--webhook", env=env, cwd=tmp_path)
    output, _ = await asyncio.wait_for(process.communicate(), 240)
    transcript = output.decode()
    assert process.returncode == 0, transcript
    assert "The day in figures" in transcript and "WS-2026-000005" in transcript
