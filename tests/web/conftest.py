"""`wijksignaal serve`'s app under uvicorn on a local port, with the simulator delivering to it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from bot.settings import Settings
from bot.simulator.server import BotApiSimulator
from bot.web.app import create_app
from kern.services import Services
from tests.bot import conftest as chat

# The chat's fixtures: the simulator, services on a real database, residents, linked owners.
sim, services = chat.sim, chat.services
resident, link_contact = chat.resident, chat.link_contact

SECRET = "test-secret_123"
KEYS = ("key-signalen", "key-fixmystreet")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings_for(sim: BotApiSimulator, port: int, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=sim.token,
        telegram_api_url=sim.api_url,
        telegram_file_url=sim.file_url,
        wijksignaal_webhook_url=f"http://127.0.0.1:{port}/telegram/updates",
        wijksignaal_webhook_secret=SECRET,
        open311_api_keys=",".join(KEYS),
        **extra,
    )


@dataclass
class Served:
    url: str
    client: httpx.AsyncClient
    services: Services
    app: Starlette

    @property
    def hook(self) -> str:
        return f"{self.url}/telegram/updates"


@contextlib.asynccontextmanager
async def serving(
    sim: BotApiSimulator, services: Services, **extra: object
) -> AsyncIterator[Served]:
    """The app on a free port, its webhook registered with the simulator; stopped cleanly."""
    port = free_port()
    app = create_app(
        settings_for(sim, port, **extra), services=services, tick_seconds=0, register_webhook=True
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises what went wrong at start
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=15) as client:
            yield Served(url, client, services, app)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served(sim: BotApiSimulator, services: Services) -> AsyncIterator[Served]:
    async with serving(sim, services) as running:
        yield running


@pytest.fixture
def api(served: Served) -> Callable[..., object]:
    """Call an Open311 endpoint with a valid key: api("GET", "requests.json", status=...)."""

    async def call(method: str, path: str, **params: str) -> httpx.Response:
        params.setdefault("api_key", KEYS[0])
        url = f"/open311/v2/{path}"
        if method == "POST":
            return await served.client.post(url, data=params)
        return await served.client.request(method, url, params=params)

    return call
