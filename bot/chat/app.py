"""Assemble the python-telegram-bot application: handlers, the outbox sender, start and stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

from telegram import Bot, BotCommand
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.chat import handlers, werkgroep
from bot.chat.duties import sending_and_ticking
from bot.chat.inbox_poller import InboxPoller
from bot.chat.outbox_sender import Limits, OutboxSender
from bot.chat.update_lanes import PerChatUpdateProcessor
from kern.services import Services
from kern.texts import LANGUAGES, Texts
from signalen.werkdagen import AMSTERDAM

log = logging.getLogger(__name__)

COMMANDS = ["melden", "mijnmeldingen", "annuleren", "taal", "taken", "signaleren", "help"]
"""The command menu; its descriptions are in algemeen.j2, translated like every sentence."""


@dataclass
class Worker:
    """A running bot: the PTB application and its outbox sender."""

    application: Application
    sender: OutboxSender
    stopping: asyncio.Event


def build_application(
    services: Services, *, token: str, api_url: str, file_url: str
) -> Application:
    """Build the PTB application with every handler registered."""
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(api_url)
        .base_file_url(file_url)
        .updater(None)  # our InboxPoller fetches: it confirms updates only once they are stored
        .concurrent_updates(PerChatUpdateProcessor())
        .defaults(Defaults(tzinfo=AMSTERDAM))
        .build()
    )
    application.bot_data["services"] = services
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    private, group = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    new = filters.UpdateType.MESSAGE
    add = application.add_handler
    add(MessageHandler(filters.UpdateType.EDITED, handlers.edited))
    add(CommandHandler("start", handlers.start, filters=private))
    add(CommandHandler("help", handlers.help_))
    add(CommandHandler("koppel", handlers.link_group))
    add(CommandHandler("overzicht", werkgroep.overview))
    koppel = filters.UpdateType.CHANNEL_POST & filters.Regex(r"^/koppel(@\w+)?(\s|$)")
    add(MessageHandler(koppel, werkgroep.link_channel))
    add(CommandHandler(sorted(_private_commands()), handlers.private_only, filters=group))
    add(CommandHandler("melden", handlers.report, filters=private))
    add(CommandHandler("signaleren", handlers.signal, filters=private))
    add(CommandHandler("annuleren", handlers.cancel, filters=private))
    add(CommandHandler("mijnmeldingen", handlers.my_reports, filters=private))
    add(CommandHandler("taken", handlers.tasks, filters=private))
    add(CommandHandler("taal", handlers.language, filters=private))
    add(MessageHandler(filters.COMMAND & private & new, handlers.unknown_command))
    add(MessageHandler(filters.TEXT & private & new, handlers.text))
    add(MessageHandler(filters.LOCATION & private & new, handlers.location))
    add(MessageHandler(filters.PHOTO & private & new, handlers.photo))
    add(MessageHandler(filters.CONTACT & private & new, handlers.shared_contact))
    add(MessageHandler(filters.Document.ALL & private & new, handlers.document))
    unsupported = (
        filters.Sticker.ALL
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
    )
    add(MessageHandler(unsupported & private & new, handlers.unsupported))
    add(CallbackQueryHandler(handlers.signal_button, pattern=r"^s:"))
    add(CallbackQueryHandler(handlers.draft_button, pattern=r"^d:"))
    add(CallbackQueryHandler(handlers.language_button, pattern=r"^l:"))
    add(CallbackQueryHandler(handlers.stale_button))
    application.add_error_handler(handlers.on_error)


def _private_commands() -> set[str]:
    return set(handlers.PRIVATE_COMMANDS)


@asynccontextmanager
async def started(
    services: Services,
    *,
    token: str,
    api_url: str,
    file_url: str,
    limits: Limits | None = None,
) -> AsyncIterator[tuple[Application, OutboxSender]]:
    """The application started (handlers ready, nobody fetching yet) and its outbox sender."""
    application = build_application(services, token=token, api_url=api_url, file_url=file_url)
    sender = OutboxSender(
        application.bot, services.sessions, services.clock, limits, write_lock=services.write_lock
    )
    services.sender = sender
    async with application:
        me = await application.bot.get_me()
        services.bot_username = me.username or services.bot_username
        await application.start()
        try:
            yield application, sender
        finally:
            if application.running:
                await application.stop()


async def set_commands(bot: Bot, texts: Texts) -> None:
    """The command menu in every language: Telegram shows a user the menu of their app's
    language, and the Dutch one (the default, without language code) to everyone else."""
    for taal in (None, *LANGUAGES):
        menu = [BotCommand(c, texts("algemeen.commando", taal or "nl", naam=c)) for c in COMMANDS]
        await bot.set_my_commands(menu, language_code=taal)


@asynccontextmanager
async def running(
    services: Services,
    *,
    token: str,
    api_url: str,
    file_url: str,
    limits: Limits | None = None,
    poll_timeout: int = 10,
    tick_seconds: float = 5.0,
) -> AsyncIterator[Worker]:
    """Run the bot (polling), the outbox sender and the ticker until the block ends."""
    urls = {"token": token, "api_url": api_url, "file_url": file_url}
    async with started(services, limits=limits, **urls) as (application, sender):
        await set_commands(application.bot, services.texts)
        worker = Worker(application, sender, asyncio.Event())
        poller = InboxPoller(application, services, timeout=poll_timeout)
        await poller.replay()
        polling = asyncio.create_task(poller.run(worker.stopping), name="inbox-poller")
        log.info("bot @%s polling %s", services.bot_username, api_url)
        try:
            async with sending_and_ticking(application, sender, services, tick_seconds):
                try:
                    yield worker
                finally:
                    worker.stopping.set()
                    polling.cancel()  # a stored batch is handled again at the next start
                    with suppress(asyncio.CancelledError):
                        await polling
                    await application.stop()  # handlers finish; their messages are queued
        finally:
            with suppress(Exception):
                await sender.drain(timeout=5.0)  # send what is due; the rest waits in the table
            log.info("bot stopped; unsent messages stay in the outbox")
