"""Messages as the simulator keeps them, and their Bot API (JSON) form."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChatMessage:
    """A message as the simulator keeps it; `from_bot` tells who sent it."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None = None  # as the person sees it (HTML turned into entities, like Telegram)
    caption: str | None = None
    html: str | None = None  # what the bot sent, for "message is not modified"
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: str | None = None
    location: tuple[float, float] | None = None
    reply_markup: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> str:
        return self.text or self.caption or ""

    def buttons(self) -> list[tuple[str, str]]:
        """Inline buttons as (label, callback data), row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    def keyboard(self) -> list[str]:
        """Reply-keyboard button labels."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]


def message_json(message: ChatMessage, *, bot_id: int, username: str) -> dict[str, Any]:
    chat_type = "private" if message.chat_id > 0 else "group"
    data: dict[str, Any] = {
        "message_id": message.message_id,
        "date": int(time.time()),
        "chat": {"id": message.chat_id, "type": chat_type},
        "from": {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Wijksignaal",
            "username": username,
        },
    }
    if message.text is not None:
        data["text"] = message.text
        if message.entities:
            data["entities"] = message.entities
    if message.caption is not None:
        data["caption"] = message.caption
    if message.photo is not None:
        data["photo"] = [
            {
                "file_id": message.photo,
                "file_unique_id": f"u-{message.photo}",
                "width": 800,
                "height": 600,
            }
        ]
    if message.location is not None:
        data["location"] = {"latitude": message.location[0], "longitude": message.location[1]}
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        data["reply_markup"] = message.reply_markup
    return data
