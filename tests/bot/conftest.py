"""A real bot on a real database talking to the local Bot API simulator."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest

from bot.chat.app import Worker, running
from bot.simulator.people import SimGroup, SimUser
from bot.simulator.server import BotApiSimulator
from kern.services import Services
from kern.texts import Texts
from opslag import contacten
from opslag.database import SessionFactory
from regels.gemeente import Municipality
from tests.conftest import local


class SteadyClock:
    """Starts on a chosen Monday morning and then runs at real speed."""

    def __init__(self, start: datetime) -> None:
        self.start, self._t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    simulator = BotApiSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def services(deventer: Municipality, sessions: SessionFactory) -> Services:
    return Services(
        municipality=deventer,
        sessions=sessions,
        texts=Texts(),
        clock=SteadyClock(local(2026, 11, 23, 10, 0)),
    )


@pytest.fixture
def start_bot(sim: BotApiSimulator, services: Services) -> Callable[[], object]:
    def make() -> object:
        return running(
            services, token=sim.token, api_url=sim.api_url, file_url=sim.file_url, poll_timeout=1
        )

    return make


@pytest.fixture
async def bot(start_bot) -> AsyncIterator[Worker]:
    async with start_bot() as worker:
        yield worker


@pytest.fixture
def resident(sim: BotApiSimulator) -> SimUser:
    return SimUser(sim, 1001, "Fatima")


@pytest.fixture
def link_contact(sim: BotApiSimulator, services: Services) -> Callable[..., object]:
    """Register a Telegram user as a config contact the way a coordinator would (invite link)."""

    async def link(contact_id: str, user_id: int, name: str) -> SimUser:
        user = SimUser(sim, user_id, name)
        async with services.sessions.begin() as session:
            token = await contacten.create_invite(
                session,
                purpose="contact",
                target=contact_id,
                at=services.clock(),
                valid_for=timedelta(days=7),
            )
        await user.says(f"/start inv_{token}")
        await user.expect("Welkom")
        return user

    return link


@pytest.fixture
def group(sim: BotApiSimulator) -> SimGroup:
    return SimGroup(sim, -100200300, "Wijkwerkgroep Voorstad")
