"""The serve app under uvicorn in this process, on a free local port (the demo and the tests)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette

from bot.settings import Settings
from bot.web.app import create_app
from kern.services import Services


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(
    *, token: str, api_url: str, file_url: str, port: int, secret: str, **extra: Any
) -> Settings:
    """Settings for one worker whose webhook is http://127.0.0.1:PORT/telegram/updates."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=token,
        telegram_api_url=api_url,
        telegram_file_url=file_url,
        wijksignaal_webhook_url=f"http://127.0.0.1:{port}/telegram/updates",
        wijksignaal_webhook_secret=secret,
        **extra,
    )


@asynccontextmanager
async def serving(
    settings: Settings, services: Services, port: int, *, tick_seconds: float = 0
) -> AsyncIterator[Starlette]:
    """Start the app (its webhook registered), yield it, stop it cleanly."""
    app = create_app(settings, services=services, tick_seconds=tick_seconds, register_webhook=True)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what went wrong at start
            raise RuntimeError("the web app stopped during start-up")
        await asyncio.sleep(0.01)
    try:
        yield app
    finally:
        server.should_exit = True
        await task
