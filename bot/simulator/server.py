"""A local Bot API server (aiohttp) that real bots talk to, with Telegram's limits enforced.

It serves the methods Wijksignaal uses, keeps every chat's messages for inspection, lets tests
and the demo act as users (text, buttons, locations, photos), enforces limits that
python-telegram-bot does not check (4096 characters, 1024 caption, 64-byte callback data,
"message is not modified", HTML entities, flood control with 429 retry_after) and injects
faults on request: errors, and answers that come late after the action was done. Updates go
out by long polling, or by POST once a webhook is set (bot/simulator/webhook.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.simulator.faults import DROPPED, FAULTABLE, SENDING, Chaos, Fault
from bot.simulator.messages import ChatMessage, error_response, message_json, request_params
from bot.simulator.telegram_rules import ApiError, FloodControl, check_markup, parse_text
from bot.simulator.telegram_rules import check_commands as command_menu
from bot.simulator.webhook import WebhookMode


class BotApiSimulator(WebhookMode):
    """Run with `await sim.start()`; point PTB at `sim.api_url` and `sim.file_url`."""

    def __init__(
        self,
        *,
        token: str = "123456:SIMULATED-TOKEN",
        username: str = "wijksignaal_bot",
        flood_control: FloodControl | None = None,
        webhook_timeout: float = 10.0,
    ) -> None:
        self.token, self.username = token, username
        self.bot_id = int(token.split(":")[0])
        self.flood = flood_control
        self.messages: dict[int, list[ChatMessage]] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.command_menus: dict[str, list[dict[str, Any]]] = {}
        self.refused: list[tuple[str, int, str]] = []
        self._faults: list[Fault] = []
        self.chaos: Chaos | None = None
        self._release = asyncio.Event()  # answers held by delay_next go out when this is set
        self.late_answers = 0
        # Bot messages identical to one the chat already had from the bot: in a test whose
        # messages all differ, each is a message sent twice.
        self.sent_twice: list[ChatMessage] = []
        self._contents: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
        self._updates: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []
        self.listeners: list[Callable[[ChatMessage], None]] = []  # told of every bot message
        self.chats: set[int] = set()  # chats that have talked to the bot (others: not found)
        self._next_update_id = 1
        self._message_ids: dict[int, int] = defaultdict(int)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._init_webhook(webhook_timeout)  # setWebhook, getWebhookInfo, send_times

    # -- running -----------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self.answer_delayed()  # a held answer would keep the server's shutdown waiting
        await self._stop_webhook()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        description: str = "",
    ) -> None:
        """Make the next `times` calls of `method` (optionally to one chat) fail."""
        text = description or (
            f"Too Many Requests: retry after {retry_after}"
            if status == 429
            else "Internal Server Error"
        )
        self._faults.append(Fault(method, status, text, retry_after, times, chat_id))

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Make the next `times` calls of `method` (optionally to one chat) take effect at once
        but answer only after `seconds` (or `answer_delayed()`): a client that gives up
        early and tries again sends the message twice."""
        self._faults.append(Fault(method, 200, "", None, times, chat_id, delay=seconds))

    def inject_faults(
        self,
        rate: float,
        *,
        seed: int,
        methods: frozenset[str] | None = None,
        delay: tuple[float, float] = (6.0, 12.0),
    ) -> Chaos:
        """Fault `rate` of the calls to `methods` (default: every sending and editing method
        and getUpdates) at random, from `seed`; `rate=0` stops. Returns the tally."""
        chaos = Chaos(rate, random.Random(seed), methods or FAULTABLE, delay)
        self.chaos = chaos if rate > 0 else None
        return chaos

    def answer_delayed(self) -> None:
        """Send every answer held by `delay_next` now."""
        self._release.set()
        self._release = asyncio.Event()

    # -- acting as users ---------------------------------------------------------------------
    async def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Deliver an update of `kind` ("message", "callback_query", ...) to the bot."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        return await self.push_raw(update)

    async def push_raw(self, update: dict[str, Any]) -> int:
        """Deliver an update as given, also one the bot has seen before (a duplicate)."""
        async with self._changed:
            if not self._to_webhook(update):  # a webhook is set: POSTed there
                self._updates.append(update)
            self.delivered.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    def user_message(
        self, user: dict[str, Any], chat: dict[str, Any], **content: Any
    ) -> dict[str, Any]:
        """Store a message a user sends and return its Bot API form."""
        self.chats.add(chat["id"])
        message = {
            "message_id": self._new_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }
        text = content.get("text")
        if isinstance(text, str) and text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        self.messages[chat["id"]].append(
            ChatMessage(chat["id"], message["message_id"], False, text=text, raw=message)
        )
        return message

    def add_file(self, content: bytes) -> str:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = content
        return file_id

    # -- observing ---------------------------------------------------------------------------
    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.messages[chat_id] if m.from_bot]

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool],
        *,
        after: int = 0,
        timeout: float = 10.0,
    ) -> ChatMessage:
        """Wait until the bot has sent a message to `chat_id` (beyond index `after`) that fits."""

        async def found() -> ChatMessage:
            async with self._changed:
                while True:
                    for message in self.bot_messages(chat_id)[after:]:
                        if predicate(message):
                            return message
                    await self._changed.wait()

        return await asyncio.wait_for(found(), timeout)

    async def quiet(self, seconds: float = 0.3) -> None:
        """Wait until the bot has been silent for `seconds`."""
        while True:
            count = sum(len(v) for v in self.messages.values())
            await asyncio.sleep(seconds)
            if count == sum(len(v) for v in self.messages.values()):
                return

    # -- the Bot API ---------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return error_response(401, "Unauthorized")
        params = await request_params(request)
        self.calls[method] += 1
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return error_response(404, "Not Found: method not found")
        try:
            delay = self._fault(method, params.get("chat_id"))
            if delay < 0:  # a dropped connection: no answer at all, nothing done
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)
            if self.flood and method in SENDING:
                wait = self.flood.admit(int(params["chat_id"]), time.monotonic())
                if wait is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
            result = await handler(params)
            if method in SENDING:
                self.send_times.append(time.monotonic())
        except ApiError as exc:
            self.refused.append((method, exc.code, exc.description))
            return error_response(exc.code, exc.description, exc.retry_after)
        async with self._changed:
            self._changed.notify_all()
        if delay:
            self.late_answers += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), delay)
        return web.json_response({"ok": True, "result": result})

    def _fault(self, method: str, chat_id: Any) -> float:
        """Raise the next matching error, or return how long to hold the answer back."""
        for fault in self._faults:
            if fault.method == method and fault.times > 0 and fault.chat_id in (None, chat_id):
                fault.times -= 1
                if fault.delay:
                    return fault.delay
                raise ApiError(fault.status, fault.description, fault.retry_after)
        chaos = self.chaos.draw(method) if self.chaos is not None else None
        if chaos is None:
            return 0.0
        if chaos.delay:
            return chaos.delay
        if chaos.status == DROPPED:
            return -1.0
        raise ApiError(chaos.status, chaos.description, chaos.retry_after)

    async def _m_getMe(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Wijksignaal",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        language, commands = command_menu(params)  # per language; "" is everyone else's
        self.command_menus[language] = commands
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            self._no_webhook()  # 409 Conflict while a webhook is set
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            self._no_webhook()
            return list(self._updates[:limit])

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        html = str(params.get("text", ""))
        text, entities = parse_text(html, 4096, "message is too long", params.get("parse_mode"))
        return self._bot_message(params, text=text, html=html, entities=entities)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._media(params, "photo")

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._media(params, "document")

    async def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        location = (float(params["latitude"]), float(params["longitude"]))
        return self._bot_message(params, location=location)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        html = str(params.get("text", ""))
        text, entities = parse_text(html, 4096, "message is too long", params.get("parse_mode"))
        markup = params.get("reply_markup")
        if html == message.html and markup == message.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        check_markup(markup)
        message.text, message.html, message.entities = text, html, entities
        message.reply_markup = markup
        return message_json(message, bot_id=self.bot_id, username=self.username)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace the inline keyboard; without reply_markup, take it away."""
        message = self._find(params)
        markup = params.get("reply_markup") or None
        if markup == (message.reply_markup or None):
            raise ApiError(400, "Bad Request: message is not modified")
        check_markup(markup)
        message.reply_markup = markup
        return message_json(message, bot_id=self.bot_id, username=self.username)

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[str(params["callback_query_id"])] = params
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    # -- helpers -----------------------------------------------------------------------------
    def _media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """A photo or a document: a known file id or an upload, and a caption of at most 1024."""
        caption = params.get("caption")
        if caption is not None:
            caption, _ = parse_text(
                str(caption), 1024, "message caption is too long", params.get("parse_mode")
            )
        file = params.get(kind)
        if isinstance(file, bytes):
            file = self.add_file(file)
        if file not in self.files:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._bot_message(params, caption=caption, **{kind: file})

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        markup = params.get("reply_markup")
        check_markup(markup)
        message = ChatMessage(
            chat_id, self._new_message_id(chat_id), True, reply_markup=markup, **content
        )
        if message.content in self._contents[chat_id]:
            self.sent_twice.append(message)
        self._contents[chat_id].add(message.content)
        self.messages[chat_id].append(message)
        for listener in self.listeners:
            listener(message)
        return message_json(message, bot_id=self.bot_id, username=self.username)

    def _find(self, params: dict[str, Any]) -> ChatMessage:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.messages[chat_id]:
            if message.message_id == message_id and message.from_bot:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _new_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] += 1
        return self._message_ids[chat_id]
