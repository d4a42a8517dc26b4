"""`wijksignaal serve`'s app under uvicorn on a local port, with the simulator delivering to it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from bot.settings import Settings
from bot.simulator.server import BotApiSimulator
from bot.web.inprocess import free_port, serving, webhook_settings
from kern.services import Services
from tests.bot import conftest as chat

# The chat's fixtures: the simulator, services on a real database, residents, linked owners.
sim, services = chat.sim, chat.services
resident, link_contact = chat.resident, chat.link_contact

SECRET = "test-secret_123"
KEYS = ("key-signalen", "key-fixmystreet")


def settings_for(sim: BotApiSimulator, port: int, **extra: object) -> Settings:
    return webhook_settings(
        token=sim.token,
        api_url=sim.api_url,
        file_url=sim.file_url,
        port=port,
        secret=SECRET,
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
async def served_app(sim: BotApiSimulator, services: Services) -> AsyncIterator[Served]:
    """The app on a free port, its webhook registered with the simulator; stopped cleanly."""
    port = free_port()
    async with serving(settings_for(sim, port), services, port) as app:
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=15) as client:
            yield Served(url, client, services, app)


@pytest.fixture
async def served(sim: BotApiSimulator, services: Services) -> AsyncIterator[Served]:
    async with served_app(sim, services) as running:
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
