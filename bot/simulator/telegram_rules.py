"""Telegram's own rules, as the simulator enforces them: HTML entities, text and button limits,
flood control. python-telegram-bot checks none of these, so tests would pass that Telegram
would refuse."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from html.parser import HTMLParser
from typing import Any

_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}


class _Entities(HTMLParser):
    """Parses Telegram HTML like Telegram: plain text plus entities (UTF-16 offsets); refuses
    unknown or unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.stack: list[tuple[str, int, str | None]] = []
        self.entities: list[dict[str, Any]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append((tag, _utf16(self.text), dict(attrs).get("href")))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
            return
        _, start, href = self.stack.pop()
        length = _utf16(self.text) - start
        if length and tag in _ENTITY_TYPES:
            entity = {"type": _ENTITY_TYPES[tag], "offset": start, "length": length}
            if href:
                entity["url"] = href
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FloodControl:
    """Sliding windows like Telegram's: 30/s overall, 1/s per private chat, 20/min per group."""

    def __init__(self, overall: int = 30, private_per_second: int = 1, group_per_minute: int = 20):
        self.overall, self.private, self.group = overall, private_per_second, group_per_minute
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = defaultdict(deque)

    def admit(self, chat_id: int, now: float) -> int | None:
        """Record a send, or return the seconds to wait when it would flood."""
        window, limit = (1.0, self.private) if chat_id > 0 else (60.0, self.group)
        sent = self._chats[chat_id]
        for queue, span in ((self._all, 1.0), (sent, window)):
            while queue and queue[0] <= now - span:
                queue.popleft()
        if len(sent) >= limit:
            return max(1, round(sent[0] + window - now))
        if len(self._all) >= self.overall:
            return 1
        sent.append(now)
        self._all.append(now)
        return None


def parse_text(
    html: str, limit: int, too_long: str, parse_mode: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Return (text, entities) as Telegram would store them, or refuse like Telegram."""
    text, entities = html, []
    if parse_mode == "HTML":
        parser = _Entities()
        parser.feed(html)
        parser.close()
        if parser.error or parser.stack:
            problem = parser.error or f'unclosed tag "{parser.stack[-1][0]}"'
            raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
        text, entities = parser.text, sorted(parser.entities, key=lambda e: e["offset"])
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        raise ApiError(400, f"Bad Request: {too_long}")
    return text, entities


def check_markup(markup: Any) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def check_commands(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """setMyCommands' parameters as Telegram checks them: (language code or "", commands)."""
    commands = params.get("commands", [])
    if isinstance(commands, str):
        commands = json.loads(commands)
    language = params.get("language_code") or ""
    if language and (len(language) != 2 or not language.isalpha()):
        raise ApiError(400, "Bad Request: invalid language code specified")
    for command in commands:
        if not 1 <= len(command.get("description", "")) <= 256:
            raise ApiError(400, "Bad Request: command description length must be 1-256")
    return language, commands
