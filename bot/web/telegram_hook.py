"""Telegram by webhook: store the update, handle it, answer; a re-delivery changes nothing twice.

Telegram re-delivers an update until it gets a 2xx, and sends a chat's next update only after
the previous one was answered. So the update is stored in the inbox first (a 503 when that
fails: Telegram tries again), then handled, and answered when its effects are stored or after
`ANSWER_WITHIN` seconds, whichever comes first; past that the work goes on and the stored
update is the safety net. Because the answer normally waits for the effects, a chat's updates
are handled in order even when consecutive ones reach different workers. The processed-update
record written with the effects makes a re-delivered update, on any worker, change nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from telegram import Bot, Update
from telegram.ext import Application

from kern.services import Services
from opslag import inbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE = 1024 * 1024  # Telegram's updates are far smaller
ANSWER_WITHIN = 8.0  # seconds; Telegram waits longer, but a chat's next update waits for it


async def register(bot: Bot, *, url: str, secret: str) -> None:
    """Tell Telegram where to deliver (once, by the process that starts the workers)."""
    await bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)


async def receive(request: Request) -> Response:
    state = request.app.state
    given = request.headers.get(SECRET_HEADER, "")
    secret: str = state.webhook_secret
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        log.warning("webhook: request without the right secret refused")
        return Response(status_code=403)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPDATE:
            return Response(status_code=413)
    application: Application = state.application
    services: Services = state.services
    try:
        data = json.loads(body)
        update = Update.de_json(data, application.bot)
        if update is None or not isinstance(update.update_id, int):
            raise ValueError("no update_id")
    except Exception:  # not an update: Telegram never sends this, so nobody is waiting
        return JSONResponse({"ok": False, "description": "not an update"}, status_code=400)
    try:
        async with services.transaction() as session:
            await inbox.store(session, updates=[data], at=services.clock())
    except Exception:
        log.exception(
            "webhook: update %s could not be stored; Telegram will resend", update.update_id
        )
        return Response(status_code=503)
    task = asyncio.create_task(_handle(application, update), name=f"update-{update.update_id}")
    state.handling.add(task)
    task.add_done_callback(state.handling.discard)
    await asyncio.wait({task}, timeout=ANSWER_WITHIN)
    return Response(status_code=200)


async def _handle(application: Application, update: Update) -> None:
    """Through the same per-chat lanes as polling (bot.chat.update_lanes)."""
    await application.update_processor.process_update(update, application.process_update(update))
