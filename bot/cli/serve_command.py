"""`wijksignaal serve`: Telegram by webhook and Open311 over HTTP, in one or several workers."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.settings import Settings

errors = Console(stderr=True)
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    config: Annotated[
        Path | None,
        typer.Option(envvar="WIJKSIGNAAL_CONFIG", file_okay=False, help="Config directory."),
    ] = None,
) -> None:
    """Serve Telegram by webhook and the Open311 API until stopped (behind a reverse proxy)."""
    import uvicorn

    from bot.cli.main import load_or_exit
    from bot.logs import configure_logging

    settings = Settings()
    _refuse_unless_ready(settings, workers)
    load_or_exit(config or settings.wijksignaal_config)  # every error now, not in each worker
    configure_logging(settings.log_level)
    asyncio.run(_prepare(settings))
    # The worker processes read their settings from the environment.
    os.environ["WIJKSIGNAAL_WORKERS"] = str(workers)
    if config is not None:
        os.environ["WIJKSIGNAAL_CONFIG"] = str(config.resolve())
    uvicorn.run(
        "bot.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # URLs carry api keys; our own logs carry ids
        proxy_headers=True,
        timeout_graceful_shutdown=15,
    )


def _refuse_unless_ready(settings: Settings, workers: int) -> None:
    problems = []
    if not settings.telegram_bot_token:
        problems.append("TELEGRAM_BOT_TOKEN is not set (environment or .env).")
    if not settings.wijksignaal_webhook_url:
        problems.append(
            "WIJKSIGNAAL_WEBHOOK_URL is not set: the public HTTPS address Telegram delivers to, "
            "e.g. https://meldpunt.example.nl/telegram/updates."
        )
    secret = settings.wijksignaal_webhook_secret or ""
    if not SECRET.fullmatch(secret):
        problems.append(
            "WIJKSIGNAAL_WEBHOOK_SECRET must be 1-256 characters A-Z a-z 0-9 _ -; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        problems.append(
            f"--workers {workers} needs PostgreSQL (DATABASE_URL=postgresql+psycopg://...): "
            "SQLite takes one writer, so run one worker on it."
        )
    for problem in problems:
        errors.print(problem, highlight=False)
    if problems:
        raise typer.Exit(2)


async def _prepare(settings: Settings) -> None:
    """Once, before the workers start: migrate, the command menu, and the webhook."""
    from telegram import Bot

    from bot.chat.app import set_commands
    from bot.web.telegram_hook import register
    from kern.texts import Texts
    from opslag.database import make_engine, upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    assert settings.telegram_bot_token and settings.wijksignaal_webhook_url
    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
    )
    async with bot:
        await set_commands(bot, Texts())
        await register(
            bot,
            url=settings.wijksignaal_webhook_url,
            secret=settings.wijksignaal_webhook_secret or "",
        )
