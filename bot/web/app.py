"""The ASGI app of `wijksignaal serve`: Telegram by webhook and Open311, on the core of the chat.

Starlette, not FastAPI (bench/asgi_choice.py): 1.4-1.7x the requests per second for the same
two endpoints, half the import time and memory, and Open311 wants its own form parsing and
error lists rather than FastAPI's validation answers. The OpenAPI description is written out
in `bot.web.openapi` and a test keeps it equal to the routes.

`create_app()` with no arguments is what uvicorn's worker processes call (settings from the
environment); tests pass their own services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.chat.app import set_commands, started
from bot.chat.duties import SendingWorker
from bot.chat.inbox_poller import InboxPoller
from bot.logs import configure_logging
from bot.settings import Settings
from bot.web import open311, telegram_hook
from bot.web.openapi import document
from kern.services import Services
from kern.texts import Texts
from opslag.database import make_engine, make_sessions
from regels.gemeente import Municipality
from regels.laden import load_municipality

log = logging.getLogger(__name__)


def webhook_path(url: str | None) -> str:
    return urlsplit(url or "").path or "/telegram"


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    municipality: Municipality | None = None,
    tick_seconds: float = 5.0,
    register_webhook: bool = False,
) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = None
        own = services
        if own is None:  # a worker process of `serve`: its own logging, database and config
            configure_logging(settings.log_level)
            engine = make_engine(settings.database_url)
            own = Services(
                municipality=municipality or load_municipality(settings.wijksignaal_config),
                sessions=make_sessions(engine),
                texts=Texts(),
                clock=lambda: datetime.now(UTC),
                bot_username=settings.telegram_bot_username,
            )
        try:
            async with _serving(app, own, settings, tick_seconds, register_webhook):
                yield
        finally:
            if engine is not None:
                await engine.dispose()

    hook = webhook_path(settings.wijksignaal_webhook_url)
    routes = [
        Route(hook, telegram_hook.receive, methods=["POST"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        *open311.routes(),
    ]
    handlers = {404: open311.not_found_or_wrong_method, 405: open311.not_found_or_wrong_method}
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)  # type: ignore[arg-type]
    app.state.webhook_path = hook
    return app


@contextlib.asynccontextmanager
async def _serving(
    app: Starlette, services: Services, settings: Settings, tick_seconds: float, register: bool
) -> AsyncIterator[None]:
    """The bot started without fetching; one worker of all sends and ticks."""
    assert settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN is needed"
    services.direct_replies = settings.wijksignaal_workers <= 1
    app.state.services = services
    app.state.webhook_secret = settings.wijksignaal_webhook_secret or ""
    app.state.open311_keys = settings.api_keys()
    app.state.handling = set()
    stopping = asyncio.Event()
    async with started(
        services,
        token=settings.telegram_bot_token,
        api_url=settings.telegram_api_url,
        file_url=settings.telegram_file_url,
    ) as (application, sender):
        app.state.application = application
        if register:
            await set_commands(application.bot, services.texts)
            await telegram_hook.register(
                application.bot,
                url=settings.wijksignaal_webhook_url or "",
                secret=app.state.webhook_secret,
            )
        sending = SendingWorker(application, sender, services, tick_seconds=tick_seconds)
        app.state.sending = sending
        leading = asyncio.create_task(sending.run(stopping), name="sending-worker")
        await InboxPoller(application, services).replay()  # stored, never handled: a crash
        try:
            yield
        finally:
            stopping.set()
            if app.state.handling:
                await asyncio.wait(app.state.handling, timeout=telegram_hook.ANSWER_WITHIN)
            await leading
            if not sending.postgres:  # the only worker: send what is due before stopping
                with contextlib.suppress(Exception):
                    await sender.drain(timeout=5.0)


async def openapi(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    return JSONResponse(document(base, request.app.state.webhook_path))


async def healthz(request: Request) -> Response:
    """200 when the database answers; for the reverse proxy's health check."""
    services: Services = request.app.state.services
    try:
        async with services.sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"ok": False}, status_code=503)
    sending = request.app.state.sending.leading.is_set()
    return JSONResponse({"ok": True, "sending_worker": sending})
