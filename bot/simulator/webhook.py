"""Webhook mode for the simulator, as the real Bot API behaves, and the sends-per-second tally.

While a webhook is set, `getUpdates` answers 409 and every update is POSTed to the webhook url
(JSON, with the secret header when a secret was set). Each chat is a lane: its next update goes
out only after the previous one got a 2xx answer; different chats go out concurrently, at most
`max_connections` at once. A non-2xx answer, a connection error or no answer within
`webhook_timeout` seconds means: the same update again after a backoff, the chat's order kept.
Updates without a chat share one lane of their own.
"""

from __future__ import annotations

import asyncio
import errno
import json
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.simulator.telegram_rules import ApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
BACKOFF_START, BACKOFF_MAX = 0.05, 1.0  # seconds; fast, for tests
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_NO_CHAT = "no chat"  # the lane of updates that have no chat


@dataclass
class Webhook:
    url: str
    secret: str | None
    max_connections: int
    allowed_updates: list[str] | None
    slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.max_connections)

    def wants(self, update: dict[str, Any]) -> bool:
        kinds = set(update) - {"update_id"}
        return not self.allowed_updates or bool(kinds & set(self.allowed_updates))


def lane_of(update: dict[str, Any]) -> Hashable:
    """The chat an update belongs to (message.chat, callback_query.message.chat, ...)."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat")
        if not isinstance(chat, dict):
            message = payload.get("message")
            chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
    return _NO_CHAT


def busiest_second(times: list[float]) -> int:
    """The largest number of moments within any window of 1.0 s."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class WebhookMode:
    """Mixed into BotApiSimulator: the webhook methods, the delivery, and the send tally."""

    _updates: list[dict[str, Any]]  # the simulator's getUpdates queue
    _changed: asyncio.Condition

    def _init_webhook(self, timeout: float) -> None:
        self.webhook_timeout = timeout
        self.webhook_posts = 0  # every POST attempt
        self.webhook_failures = 0  # attempts that got no 2xx answer
        self.webhook_answers: list[tuple[int, int]] = []  # (update_id, status); 0: no answer
        self.send_times: list[float] = []  # monotonic time of every accepted send
        self._webhook: Webhook | None = None
        self._last_error: tuple[int, str] | None = None
        self._lanes: dict[Hashable, deque[dict[str, Any]]] = {}
        self._lane_tasks: dict[Hashable, asyncio.Task[None]] = {}
        self._delivering: set[asyncio.Task[None]] = set()  # also stopped ones not yet ended
        self._webhook_quiet = asyncio.Event()
        self._webhook_quiet.set()
        self._session: aiohttp.ClientSession | None = None

    # -- for tests and the server ----------------------------------------------------------
    def max_sends_per_second(self) -> int:
        """The most sends Telegram accepted within any 1.0 s, across all chats."""
        return busiest_second(self.send_times)

    async def webhook_idle(self, timeout: float = 10.0) -> None:
        """Wait until no update is waiting for or in webhook delivery."""
        await asyncio.wait_for(self._webhook_quiet.wait(), timeout)

    def _to_webhook(self, update: dict[str, Any]) -> bool:
        """Queue `update` for the webhook; False when no webhook is set (polling mode)."""
        if self._webhook is None:
            return False
        if self._webhook.wants(update):
            lane = lane_of(update)
            self._lanes.setdefault(lane, deque()).append(update)
            self._webhook_quiet.clear()
            if lane not in self._lane_tasks:
                task = asyncio.create_task(self._deliver(lane))
                self._lane_tasks[lane] = task
                self._delivering.add(task)
                task.add_done_callback(self._delivering.discard)
        return True

    def _no_webhook(self) -> None:
        if self._webhook is not None:
            raise ApiError(409, CONFLICT)

    async def _stop_webhook(self) -> None:
        self._stop_lanes()
        tasks = list(self._delivering)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- the Bot API methods -----------------------------------------------------------------
    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(params)
        if not url.startswith(("https://", "http://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        secret = None if secret in (None, "") else str(secret)
        if secret is not None and (len(secret) > 256 or not set(secret) <= _SECRET_CHARS):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = min(100, max(1, int(params.get("max_connections") or 40)))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = [allowed]
        hook = Webhook(url, secret, connections, list(allowed) if allowed else None)
        if self._webhook is None or self._webhook.url != url:
            self._last_error = None
        drop = _flag(params.get("drop_pending_updates"))
        async with self._changed:
            if drop:
                self._stop_lanes()
            waiting = [] if drop else self._updates
            self._updates = []
            self._webhook = hook
            for update in waiting:
                self._to_webhook(update)
            self._changed.notify_all()  # a long poll in progress ends
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        drop = _flag(params.get("drop_pending_updates"))
        if self._webhook is None and not drop:
            return True
        async with self._changed:
            self._webhook, self._last_error = None, None
            left = self._stop_lanes()
            waiting = [] if drop else self._updates + left
            self._updates = sorted(waiting, key=lambda u: int(u["update_id"]))
            self._changed.notify_all()
        return True

    async def _m_getWebhookInfo(self, _: dict[str, Any]) -> dict[str, Any]:
        hook = self._webhook
        if hook is None:
            pending = len(self._updates)
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": sum(len(lane) for lane in self._lanes.values()),
            "max_connections": hook.max_connections,
        }
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if self._last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._last_error
        return info

    # -- delivery ----------------------------------------------------------------------------
    async def _deliver(self, lane: Hashable) -> None:
        """POST the lane's updates one by one, each until it gets a 2xx answer."""
        queue = self._lanes[lane]
        backoff = BACKOFF_START
        try:
            while queue and self._webhook is not None:
                if await self._post(self._webhook, queue[0]):
                    queue.popleft()
                    backoff = BACKOFF_START
                else:
                    await asyncio.sleep(backoff)
                    backoff = min(BACKOFF_MAX, backoff * 2)
        finally:
            if self._lane_tasks.get(lane) is asyncio.current_task():
                del self._lane_tasks[lane]
            if not queue and self._lanes.get(lane) is queue:
                del self._lanes[lane]
            if not self._lane_tasks:
                self._webhook_quiet.set()

    async def _post(self, hook: Webhook, update: dict[str, Any]) -> bool:
        """One delivery attempt; True when the webhook answered 2xx."""
        headers = {"Content-Type": "application/json"}
        if hook.secret is not None:
            headers[SECRET_HEADER] = hook.secret
        if self._session is None:
            self._session = aiohttp.ClientSession()
        status, error = 0, ""
        async with hook.slots:
            self.webhook_posts += 1
            try:
                async with self._session.post(
                    hook.url,
                    data=json.dumps(update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
                    allow_redirects=False,
                ) as response:
                    status = response.status
                    await response.read()
                    if not 200 <= status < 300:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except TimeoutError:
                error = "Read timeout expired"
            except aiohttp.ClientConnectorError as exc:
                refused = exc.os_error.errno == errno.ECONNREFUSED
                error = "Connection refused" if refused else f"Connection failed: {exc.os_error}"
            except aiohttp.ClientError as exc:
                error = f"Connection reset by peer ({type(exc).__name__})"
        self.webhook_answers.append((int(update["update_id"]), status))
        if error:
            self.webhook_failures += 1
            self._last_error = (int(time.time()), error)
        return not error

    def _stop_lanes(self) -> list[dict[str, Any]]:
        """Stop delivering at once; return what was not delivered, the update in flight too
        (a delivery that was cut off counts as not delivered, as with Telegram)."""
        for task in self._lane_tasks.values():
            task.cancel()
        self._lane_tasks.clear()
        left = [update for lane in self._lanes.values() for update in lane]
        self._lanes.clear()
        self._webhook_quiet.set()
        return left


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in {"true", "1"}
