"""`wijksignaal run`: migrate, then serve Telegram until SIGTERM or SIGINT, then stop cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from bot.chat.app import running
from bot.settings import Settings
from kern.services import Services
from kern.texts import Texts
from opslag.database import make_engine, make_sessions, upgrade
from regels.gemeente import Municipality

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def serve(settings: Settings, municipality: Municipality) -> None:
    """Run one worker; several may run against one PostgreSQL database."""
    engine = make_engine(settings.database_url)
    log.info("applying migrations")
    await upgrade(engine)
    services = Services(
        municipality=municipality,
        sessions=make_sessions(engine),
        texts=Texts(),
        clock=utc_now,
        bot_username=settings.telegram_bot_username,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    assert settings.telegram_bot_token
    try:
        async with running(
            services,
            token=settings.telegram_bot_token,
            api_url=settings.telegram_api_url,
            file_url=settings.telegram_file_url,
        ):
            log.info("serving %s; stop with SIGTERM or Ctrl-C", municipality.name)
            await stop.wait()
            log.info("stopping: finishing updates and sending what is due")
    finally:
        await engine.dispose()
