"""Telegram by webhook: only Telegram (the secret) gets in, and a re-delivered update counts once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.simulator.people import SimUser
from opslag.tabellen import InboxUpdate, SignalRow
from tests.bot.helpers import report_waste
from tests.web.conftest import SECRET

UPDATE = {
    "update_id": 424242,
    "message": {
        "message_id": 1,
        "date": 1764000000,
        "chat": {"id": 7001, "type": "private", "first_name": "Eve"},
        "from": {"id": 7001, "is_bot": False, "first_name": "Eve"},
        "text": "/start",
    },
}


async def _stored(services) -> int:
    async with services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def test_a_request_without_the_secret_is_refused_and_not_handled(served, sim) -> None:
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        answer = await served.client.post(served.hook, json=UPDATE, headers=headers)
        assert answer.status_code == 403
    assert await _stored(served.services) == 0
    assert sim.bot_messages(7001) == []

    sim.chats.add(7001)
    right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await served.client.post(served.hook, json=UPDATE, headers=right)).status_code == 200
    assert await _stored(served.services) == 1
    assert sim.bot_messages(7001), "the update was handled: the bot answered /start"
    for body in (b"not json", b"[]", b'{"update_id": "x"}'):
        answer = await served.client.post(served.hook, content=body, headers=right)
        assert answer.status_code == 400


async def test_a_resident_reports_by_webhook_and_a_redelivered_update_counts_once(
    served, sim, link_contact, services
) -> None:
    info = await served.client.get(f"{sim.api_url}{sim.token}/getWebhookInfo")
    assert info.json()["result"]["url"] == served.hook
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    resident = SimUser(sim, 1001, "Fatima")
    reference = await report_waste(resident)
    await owner.expect(f"Nieuwe melding {reference}")

    # Telegram delivers the last button press again (our answer was lost on its way back).
    press = next(u for u in reversed(sim.delivered) if "callback_query" in u)
    before = len(sim.bot_messages(1001)), len(sim.bot_messages(2001))
    await sim.push_raw(press)
    await sim.webhook_idle()
    await sim.quiet()
    assert (len(sim.bot_messages(1001)), len(sim.bot_messages(2001))) == before
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SignalRow)) == 1
    assert sim.sent_twice == []
