"""The simulator refuses what Telegram refuses, so the bot's tests mean something."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter

from bot.simulator.server import BotApiSimulator, FloodControl


@pytest.fixture
async def api(sim: BotApiSimulator):
    sim.chats.add(7)
    async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as bot:
        yield bot


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x" * 4097, "message is too long"),
        ("<b>open", "can't parse entities"),
        ("<script>x</script>", "can't parse entities"),
        ("   ", "message text is empty"),
    ],
)
async def test_bad_messages_are_refused_like_telegram(api: Bot, text: str, problem: str) -> None:
    with pytest.raises(BadRequest, match=f"(?i){problem}"):
        await api.send_message(7, text, parse_mode="HTML")


async def test_html_becomes_text_and_entities(api: Bot, sim: BotApiSimulator) -> None:
    message = await api.send_message(
        7, "Nummer: <b>WS-2026-000001</b> &amp; meer", parse_mode="HTML"
    )
    assert message.text == "Nummer: WS-2026-000001 & meer"
    assert message.text_html == "Nummer: <b>WS-2026-000001</b> &amp; meer"
    assert sim.bot_messages(7)[0].text == "Nummer: WS-2026-000001 & meer"


async def test_caption_and_callback_data_limits(api: Bot, sim: BotApiSimulator) -> None:
    photo = sim.add_file(b"jpeg")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await api.send_photo(7, photo, caption="x" * 1025)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="s" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await api.send_message(7, "kies", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await api.send_message(8, "onbekend")


async def test_editing_to_the_same_content_is_not_modified(api: Bot) -> None:
    message = await api.send_message(7, "Hallo")
    await api.edit_message_text("Hallo!", chat_id=7, message_id=message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await api.edit_message_text("Hallo!", chat_id=7, message_id=message.message_id)


async def test_injected_faults_come_back_as_telegram_errors(api: Bot, sim: BotApiSimulator) -> None:
    sim.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await api.send_message(7, "x")
    assert info.value.retry_after.total_seconds() == 3
    await api.send_message(7, "daarna gaat het goed")


async def test_long_polling_returns_updates_from_the_offset(api: Bot, sim: BotApiSimulator) -> None:
    first = await sim.push(
        "message", {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "a"}
    )
    await sim.push(
        "message", {"message_id": 2, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "b"}
    )
    updates = await api.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, first + 1]
    assert [u.update_id for u in await api.get_updates(offset=first + 1, timeout=1)] == [first + 1]
    assert await api.get_updates(offset=first + 2, timeout=0) == ()


@pytest.mark.parametrize(
    ("sends", "refused_at"),
    [
        ([(1, 0.0), (1, 0.5)], 1),  # a private chat: one per second
        ([(1, 0.0), (1, 1.01)], None),
        ([(-5, n * 0.1) for n in range(21)], 20),  # a group: twenty per minute
        ([(c, c * 0.01) for c in range(1, 32)], 30),  # overall: thirty per second
    ],
)
def test_flood_control_windows(sends: list[tuple[int, float]], refused_at: int | None) -> None:
    flood = FloodControl()
    results = [flood.admit(chat, at) for chat, at in sends]
    refused = [n for n, wait in enumerate(results) if wait is not None]
    assert refused[:1] == ([refused_at] if refused_at is not None else [])
