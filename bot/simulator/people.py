"""People in the simulator: a resident or professional in a private chat, or a group chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.simulator.messages import ChatMessage, message_json
from bot.simulator.server import BotApiSimulator


@dataclass
class SimUser:
    """Acts like a person on Telegram and reads what the bot sends back, in order."""

    sim: BotApiSimulator
    id: int
    first_name: str
    language_code: str = "nl"
    seen: int = 0
    last_update: dict[str, Any] = field(default_factory=dict)

    @property
    def profile(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    async def says(self, text: str) -> int:
        return await self._send(text=text)

    async def shares_location(self, lat: float, lon: float) -> int:
        return await self._send(location={"latitude": lat, "longitude": lon})

    async def sends_photo(
        self, content: bytes = b"\xff\xd8jpeg", caption: str | None = None
    ) -> int:
        file_id = self.sim.add_file(content)
        photo = [
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "width": 1280,
                "height": 960,
                "file_size": len(content),
            }
        ]
        extra = {"caption": caption} if caption else {}
        return await self._send(photo=photo, **extra)

    async def sends_document(
        self,
        content: bytes = b"\xff\xd8jpeg",
        file_name: str = "foto.jpg",
        mime_type: str = "image/jpeg",
        caption: str | None = None,
    ) -> int:
        """Send a file as a document, the way phones send a photo "as file" (uncompressed)."""
        file_id = self.sim.add_file(content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        extra = {"caption": caption} if caption else {}
        return await self._send(document=document, **extra)

    async def shares_phone(self, phone: str) -> int:
        return await self._send(
            contact={"phone_number": phone, "first_name": self.first_name, "user_id": self.id}
        )

    async def sends_sticker(self) -> int:
        return await self._send(
            sticker={
                "file_id": "sticker-1",
                "file_unique_id": "us1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        )

    async def sends_voice(self) -> int:
        return await self._send(
            voice={"file_id": "voice-1", "file_unique_id": "uv1", "duration": 3}
        )

    async def edits_last_message(self, text: str) -> int:
        message = self.sim.user_message(self.profile, self.chat, text=text)
        message["edit_date"] = message["date"]
        return await self.sim.push("edited_message", message)

    async def taps(self, label: str, message: ChatMessage | None = None) -> int:
        """Tap the inline button whose label contains `label` on `message` (default: latest)."""
        target = message or self._latest_with_buttons()
        for text, data in target.buttons():
            if label.lower() in text.lower():
                return await self.taps_data(data, target)
        raise AssertionError(f"no button {label!r} in {target.buttons()}")

    async def taps_data(self, data: str, message: ChatMessage) -> int:
        query = {
            "id": f"cq-{self.id}-{self.sim.calls['answerCallbackQuery']}-{data}",
            "from": self.profile,
            "chat_instance": str(self.id),
            "data": data,
            "message": message_json(message, bot_id=self.sim.bot_id, username=self.sim.username),
        }
        return await self.sim.push("callback_query", query)

    async def expect(self, fragment: str, *, timeout: float = 10.0) -> ChatMessage:
        """Wait for the next bot message containing `fragment`; skipped ones are consumed."""
        try:
            message = await self.sim.wait_for(
                self.id,
                lambda m: fragment.lower() in m.body.lower(),
                after=self.seen,
                timeout=timeout,
            )
        except TimeoutError:
            seen = [m.body[:120] for m in self.inbox()[-4:]]
            raise AssertionError(f"{self.first_name} never got {fragment!r}: {seen}") from None
        self.seen = self.sim.bot_messages(self.id).index(message) + 1
        return message

    def inbox(self) -> list[ChatMessage]:
        return self.sim.bot_messages(self.id)

    def _latest_with_buttons(self) -> ChatMessage:
        for message in reversed(self.inbox()):
            if message.buttons():
                return message
        raise AssertionError("no message with buttons")

    async def _send(self, **content: Any) -> int:
        message = self.sim.user_message(self.profile, self.chat, **content)
        return await self.sim.push("message", message)


@dataclass
class SimGroup:
    """A group chat (negative id) where members type commands."""

    sim: BotApiSimulator
    id: int
    title: str

    async def member_says(self, member: SimUser, text: str) -> int:
        chat = {"id": self.id, "type": "group", "title": self.title}
        message = self.sim.user_message(member.profile, chat, text=text)
        return await self.sim.push("message", message)

    def inbox(self) -> list[ChatMessage]:
        return self.sim.bot_messages(self.id)


@dataclass
class SimChannel:
    """A channel (negative id) whose admin posts; its posts come without a sender."""

    sim: BotApiSimulator
    id: int
    title: str

    async def admin_posts(self, text: str) -> int:
        chat = {"id": self.id, "type": "channel", "title": self.title}
        message = self.sim.user_message({}, chat, text=text)
        del message["from"]  # a channel post has sender_chat, not from
        message["sender_chat"] = chat
        return await self.sim.push("channel_post", message)

    def inbox(self) -> list[ChatMessage]:
        return self.sim.bot_messages(self.id)
