"""Messages as the simulator keeps them, and the Bot API's wire form: parameters in, JSON out."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# Sent as plain strings; everything else arrives JSON-encoded.
_RAW_FIELDS = {
    "text",
    "secret_token",
    "url",
    "caption",
    "parse_mode",
    "photo",
    "document",
    "file_id",
    "callback_query_id",
}


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
    document: str | None = None  # a file sent as a file (a photo kept at full quality)
    location: tuple[float, float] | None = None
    reply_markup: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def content(self) -> tuple[Any, ...]:
        """What the person sees, to tell a message sent twice from one sent once."""
        markup = json.dumps(self.reply_markup, sort_keys=True) if self.reply_markup else None
        return (
            self.html or self.text,
            self.caption,
            self.photo,
            self.document,
            self.location,
            markup,
        )

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
    if message.document is not None:
        data["document"] = {
            "file_id": message.document,
            "file_unique_id": f"u-{message.document}",
            "file_name": f"{message.document}.jpg",
            "mime_type": "image/jpeg",
        }
    if message.location is not None:
        data["location"] = {"latitude": message.location[0], "longitude": message.location[1]}
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        data["reply_markup"] = message.reply_markup
    return data


async def request_params(request: web.Request) -> dict[str, Any]:
    """Read a Bot API call's parameters, JSON body or form (with uploads), as Telegram does."""
    if request.content_type == "application/json":
        return dict(await request.json())
    params: dict[str, Any] = {}
    form = await request.post() if request.can_read_body else request.query
    for key, value in {**request.query, **form}.items():
        if hasattr(value, "file"):
            params[key] = value.file.read()
        elif key in _RAW_FIELDS:
            params[key] = value
        else:
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
    # An attached upload arrives as "attach://name": resolve it to the uploaded bytes.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"))
    return params


def error_response(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
