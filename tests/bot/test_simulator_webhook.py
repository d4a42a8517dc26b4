"""Webhook mode in the simulator behaves like the real Bot API: POSTs per chat in order,
redelivery after a bad answer, max_connections, 409 on getUpdates, and the sends-per-second tally."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from bot.simulator.server import BotApiSimulator
from bot.simulator.webhook import CONFLICT, busiest_second, lane_of


class Receiver:
    """A tiny webhook endpoint: records every POST, answers with the queued statuses (then 200),
    and holds requests of the chats in `held` until `release()`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.statuses: deque[int] = deque()
        self.held: set[Any] = set()
        self.hang_once: set[int] = set()  # update ids whose first POST never gets an answer
        self.active = 0
        self.most_active = 0
        self.gate = asyncio.Event()
        self.unhang = asyncio.Event()
        self.arrived = asyncio.Condition()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        self.release()
        self.unhang.set()
        if self._runner:
            await self._runner.cleanup()

    def release(self) -> None:
        self.held.clear()
        self.gate.set()

    def ids(self, chat: Any = None) -> list[int]:
        return [
            body["update_id"] for _, body in self.requests if chat is None or lane_of(body) == chat
        ]

    async def wait_until(self, condition: Any, timeout: float = 5.0) -> None:
        async def until() -> None:
            async with self.arrived:
                await self.arrived.wait_for(condition)

        await asyncio.wait_for(until(), timeout)

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            async with self.arrived:
                self.requests.append((dict(request.headers), body))
                self.arrived.notify_all()
            if body["update_id"] in self.hang_once:
                self.hang_once.discard(body["update_id"])
                await self.unhang.wait()
            while lane_of(body) in self.held:
                self.gate.clear()
                await self.gate.wait()
            status = self.statuses.popleft() if self.statuses else 200
            return web.Response(status=status)
        finally:
            self.active -= 1
            async with self.arrived:
                self.arrived.notify_all()


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    simulator = BotApiSimulator(webhook_timeout=0.5)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, sim: BotApiSimulator, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    url = f"{sim.api_url}{sim.token}/{method}"
    async with http.post(url, json=params) as response:
        return response.status, await response.json()


def message(chat_id: int, text: str = "hoi") -> dict[str, Any]:
    return {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": text}


async def test_an_update_is_posted_with_the_secret_header(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, sim, "setWebhook", url=receiver.url, secret_token="Ge-heim_1")
    assert (status, body) == (200, {"ok": True, "result": True})
    update_id = await sim.push("message", message(7))
    await sim.webhook_idle()
    assert len(receiver.requests) == 1
    headers, posted = receiver.requests[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "Ge-heim_1"
    assert headers["Content-Type"] == "application/json"
    assert posted == {"update_id": update_id, "message": message(7)}
    assert (sim.webhook_posts, sim.webhook_failures) == (1, 0)
    assert sim.webhook_answers == [(update_id, 200)]


async def test_without_a_secret_there_is_no_secret_header(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await call(http, sim, "setWebhook", url=receiver.url)
    await sim.push("message", message(7))
    await sim.webhook_idle()
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.requests[0][0]


async def test_get_updates_conflicts_while_a_webhook_is_set(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await call(http, sim, "setWebhook", url=receiver.url)
    status, body = await call(http, sim, "getUpdates", timeout=0)
    assert status == 409
    assert body == {"ok": False, "error_code": 409, "description": CONFLICT}
    await call(http, sim, "deleteWebhook")
    first = await sim.push("message", message(7))
    status, body = await call(http, sim, "getUpdates", timeout=0)
    assert status == 200
    assert [u["update_id"] for u in body["result"]] == [first]
    assert receiver.requests == []


async def test_a_long_poll_in_progress_ends_with_a_conflict(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    polling = asyncio.create_task(call(http, sim, "getUpdates", timeout=30))
    while sim.calls["getUpdates"] == 0:
        await asyncio.sleep(0.01)
    await call(http, sim, "setWebhook", url=receiver.url)
    status, body = await asyncio.wait_for(polling, 5)
    assert (status, body["description"]) == (409, CONFLICT)


async def test_python_telegram_bot_understands_the_webhook_methods(
    sim: BotApiSimulator, receiver: Receiver
) -> None:
    async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as bot:
        assert await bot.set_webhook(receiver.url, secret_token="abc123", max_connections=3)
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.pending_update_count) == (receiver.url, 3, 0)
        assert info.has_custom_certificate is False
        with pytest.raises(Conflict):
            await bot.get_updates(timeout=0)
        await sim.push("message", message(7))
        await sim.webhook_idle()
        assert receiver.requests[0][0]["X-Telegram-Bot-Api-Secret-Token"] == "abc123"
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates(timeout=0) == ()


async def test_a_failed_update_comes_again_before_the_chats_next_one(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.statuses.extend([500])
    await call(http, sim, "setWebhook", url=receiver.url)
    first = await sim.push("message", message(7, "een"))
    second = await sim.push("message", message(7, "twee"))
    await sim.webhook_idle()
    assert receiver.ids() == [first, first, second]
    assert sim.webhook_answers == [(first, 500), (first, 200), (second, 200)]
    assert (sim.webhook_posts, sim.webhook_failures) == (3, 1)
    _, body = await call(http, sim, "getWebhookInfo")
    info = body["result"]
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert isinstance(info["last_error_date"], int)
    assert info["pending_update_count"] == 0


async def test_no_answer_in_time_means_the_update_comes_again(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await call(http, sim, "setWebhook", url=receiver.url)
    receiver.hang_once.add(sim._next_update_id)
    first = await sim.push("message", message(7))
    await sim.webhook_idle()
    assert sim.webhook_answers == [(first, 0), (first, 200)]
    _, body = await call(http, sim, "getWebhookInfo")
    assert body["result"]["last_error_message"] == "Read timeout expired"


async def test_a_refused_connection_is_retried_until_the_webhook_goes(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await call(http, sim, "setWebhook", url=f"http://127.0.0.1:{port}/hook")
    first = await sim.push("message", message(7))

    async def failed_twice() -> None:
        while sim.webhook_failures < 2:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(failed_twice(), 5)
    _, body = await call(http, sim, "getWebhookInfo")
    assert body["result"]["last_error_message"] == "Connection refused"
    assert body["result"]["pending_update_count"] == 1
    await call(http, sim, "deleteWebhook")  # undelivered updates go back to getUpdates
    _, body = await call(http, sim, "getUpdates", timeout=0)
    assert [u["update_id"] for u in body["result"]] == [first]


async def test_other_chats_go_on_while_one_chat_is_slow(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    receiver.held.add(7)
    await call(http, sim, "setWebhook", url=receiver.url)
    slow_first = await sim.push("message", message(7, "een"))
    slow_second = await sim.push("message", message(7, "twee"))
    fast = [await sim.push("message", message(8, str(n))) for n in range(3)]
    await receiver.wait_until(lambda: len(receiver.ids(8)) == 3)
    assert receiver.ids(7) == [slow_first]  # the second waits for the first's answer
    receiver.release()
    await sim.webhook_idle()
    assert receiver.ids(7) == [slow_first, slow_second]
    assert receiver.ids(8) == fast


async def test_at_most_max_connections_requests_at_once(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    chats = [11, 12, 13, 14, 15]
    receiver.held.update(chats)
    await call(http, sim, "setWebhook", url=receiver.url, max_connections=2)
    for chat in chats:
        await sim.push("message", message(chat))
    await receiver.wait_until(lambda: receiver.active == 2)
    await asyncio.sleep(0.1)  # room for a third request, which must not come
    assert len(receiver.requests) == 2
    receiver.release()
    await sim.webhook_idle()
    assert sorted(lane_of(body) for _, body in receiver.requests) == chats
    assert receiver.most_active == 2


async def test_pending_update_count(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await sim.push("message", message(7))
    await sim.push("message", message(7))
    _, body = await call(http, sim, "getWebhookInfo")
    assert body["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 2}
    receiver.held.add(7)
    await call(http, sim, "setWebhook", url=receiver.url)
    await sim.push("message", message(7))
    await receiver.wait_until(lambda: receiver.active == 1)
    _, body = await call(http, sim, "getWebhookInfo")
    assert body["result"]["pending_update_count"] == 3  # the one in flight counts
    assert body["result"]["max_connections"] == 40
    receiver.release()
    await sim.webhook_idle()
    _, body = await call(http, sim, "getWebhookInfo")
    assert body["result"]["pending_update_count"] == 0
    assert len(receiver.requests) == 3


async def test_drop_pending_updates(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await sim.push("message", message(7))
    await call(http, sim, "setWebhook", url=receiver.url, drop_pending_updates=True)
    later = await sim.push("message", message(7))
    await sim.webhook_idle()
    assert receiver.ids() == [later]

    receiver.held.add(7)
    await sim.push("message", message(7))
    await sim.push("message", message(7))
    await receiver.wait_until(lambda: receiver.active == 1)
    await call(http, sim, "deleteWebhook", drop_pending_updates=True)
    _, body = await call(http, sim, "getUpdates", timeout=0)
    assert body["result"] == []


async def test_updates_queued_before_the_webhook_are_posted_to_it(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    first = await sim.push("message", message(7))
    second = await sim.push("message", message(8))
    await call(http, sim, "setWebhook", url=receiver.url)
    await sim.webhook_idle()
    assert sorted(receiver.ids()) == [first, second]


async def test_the_same_update_pushed_twice_is_posted_twice(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await call(http, sim, "setWebhook", url=receiver.url)
    update = {"update_id": 42, "message": message(7)}
    await sim.push_raw(update)
    await sim.push_raw(update)
    await sim.webhook_idle()
    assert receiver.ids() == [42, 42]


async def test_allowed_updates_filters_what_is_posted(
    sim: BotApiSimulator, receiver: Receiver, http: aiohttp.ClientSession
) -> None:
    await call(http, sim, "setWebhook", url=receiver.url, allowed_updates=["callback_query"])
    await sim.push("message", message(7))
    query = {"id": "q1", "from": {"id": 7}, "message": message(7), "data": "x"}
    wanted = await sim.push("callback_query", query)
    await sim.webhook_idle()
    assert receiver.ids() == [wanted]


def test_the_lane_of_an_update_is_its_chat() -> None:
    assert lane_of({"update_id": 1, "message": message(7)}) == 7
    assert lane_of({"update_id": 1, "edited_message": message(-5)}) == -5
    query = {"id": "q", "from": {"id": 3}, "message": message(9), "data": "x"}
    assert lane_of({"update_id": 1, "callback_query": query}) == 9
    no_chat = lane_of({"update_id": 1, "poll_answer": {"poll_id": "p", "option_ids": []}})
    assert no_chat == lane_of({"update_id": 2, "inline_query": {"id": "i", "query": ""}})
    assert no_chat not in (7, -5, 9)


def test_busiest_second_is_a_sliding_window() -> None:
    assert busiest_second([]) == 0
    assert busiest_second([5.0]) == 1
    assert busiest_second([1.6, 0.0, 0.5, 0.99, 1.5]) == 3
    assert busiest_second([0.0, 0.2, 0.4, 0.6, 0.8, 2.0]) == 5
    assert busiest_second([0.0, 1.0, 2.0]) == 1


async def test_max_sends_per_second_counts_accepted_sends(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    user = {"id": 7, "is_bot": False, "first_name": "Fatima"}
    sim.user_message(user, {"id": 7, "type": "private"}, text="hallo")
    for n in range(3):
        status, _ = await call(http, sim, "sendMessage", chat_id=7, text=f"bericht {n}")
        assert status == 200
    status, _ = await call(http, sim, "sendMessage", chat_id=8, text="onbekend")
    assert status == 400  # refused: not counted
    await call(http, sim, "getMe")  # not a send
    assert len(sim.send_times) == 3
    assert sim.max_sends_per_second() == 3
    sim.send_times = [0.0, 0.5, 2.0]
    assert sim.max_sends_per_second() == 2
