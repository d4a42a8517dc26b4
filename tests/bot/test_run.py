"""`wijksignaal run` as an operator starts it: a real process against a Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator


async def test_run_serves_users_and_stops_cleanly_on_sigterm(
    sim: BotApiSimulator, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        user = SimUser(sim, 4242, "Sanne")
        await user.says("/start")
        await user.expect("Hier meldt u problemen", timeout=30)
        assert [c["command"] for c in sim.command_menus[""]][:2] == ["melden", "mijnmeldingen"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    log = output.decode()
    assert process.returncode == 0, log
    assert "applying migrations" in log and "bot stopped" in log
    assert "Sanne" not in log  # logs carry ids, not names
    assert (tmp_path / "run.db").exists()


async def test_run_without_token_points_to_the_demo(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2 and "wijksignaal demo" in output.decode()
