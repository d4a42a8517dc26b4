"""Adversarial people for the fuzz test: odd text, forged buttons, stolen buttons, odd media.

A `Fuzzer` is a simulated person who sends one random update at a time and waits for the
bot's reaction (a message in their chat, or the answer to their button press), so every
update can be told answered or not. Every choice is drawn from one `random.Random`, so a
seed replays the same choices (what the bot answers in between depends on timing, so the
replay is close, not exact).
"""

from __future__ import annotations

import asyncio
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.simulator.messages import message_json
from bot.simulator.people import SimGroup, SimUser
from bot.simulator.server import BotApiSimulator

ODD_TEXTS = [
    "²⁰²⁶",
    "WS-²⁰²⁶-1",
    "WS-2026-1",
    "ws 2026 000001",
    "WS 2026 2",
    "WS-2026-" + "9" * 40,
    "WS" + "-" * 5000,
    "a" + " " * 9998 + "x",
    "x" * 4096,
    "y" * 4097,
    "Ω" * 4096,
    "ﷺ" * 4096,  # one character that NFKD unfolds into eighteen
    "😀" * 3000,
    "\n" * 4000,
    "\u200b" * 300,
    "\u202eRijnstraat 12",
    "שלום, יש פה זבל ליד המכולה",
    "مرحبا، هناك قمامة بجانب الحاوية",
    "<b>vet</b> & <i>schuin",
    "<script>alert(1)</script>",
    "<a href='javascript:alert(1)'>klik</a>",
    "&amp; &lt; &#0; &nbsp;",
    "Rijnstraat 12",
    "Oostriklaan 5",  # Het Oostrik: owned by the fuzzing wijkmanager
    "Holterweg 12b",
    "Schegweg",
    "oostrik",
    "Rijnstraat ²",
    "Rijnstraat " + "9" * 300,
    "Rijnstraat 12-" + "1" * 3000,
    "12 Rijnstraat",
    "Weet ik niet",
    "straat " * 700,
    "1-" * 2000,
    "(" * 4000,
    "a" * 1001,
    "aaaaa " * 680,
    "containr vuilnis zakke " * 170,  # misspelt keywords: the suggester's slowest input
    "Vuilniszakken naast de container",
    "Er wordt gedeald in het portiek",
    "Mijn buurvrouw is erg eenzaam",
    "/",
    "Verder met deze melding",
    " ",
]
COMMANDS = ["start", "melden", "signaleren", "mijnmeldingen", "annuleren", "taal", "taken"]
COMMANDS += ["help", "koppel", "onzin", "start@wijksignaal_bot", "help@anderebot", "START"]
DEEP_LINKS = ["oostrik", "colmschate_zuid", "Colmschate-Zuid", "inv_", "inv_" + "A" * 60, "²"]
FORGED_DATA = [
    "s:²:done",
    "s:99999999999999999999:no",
    "s:99999999999999999999.1:ok",
    "d:theme:²",
    "d:1:urg:hoog",
    "d:1:resume:new",
    "s:1.1:ok",
    "s:1.1:to:99",
    "s:1.1:to:0",
    "s:1.1:yes",
    "s:1.2:no",
    "s:0.0:ok",
    "s:-1.1:ok",
    "s:1.1:ok\n",
    "s:1.1:OK",
    "l:de",
    "l:en",
    "l:nl",
    "x" * 65,
    "s:1.1:" + "ok" * 40,
    "",
]
PLACES = [
    "Oostriklaan 5",
    "Holterweg 12b",
    "Schegweg",
    "oostrik",
    "Colmschate-Zuid",
    "Weet ik niet",
]
PLACES += ["Oostrikln 5", "Holter weg 3", "Vijfhoekweg ²", "Roessinkweg 99999", "Oerdijk 1-3"]
DOCUMENT_TYPES = ["image/jpeg", "IMAGE/JPEG", "image/svg+xml", "application/x-msdownload", ""]
DOCUMENT_TYPES += ["text/html", "image/png", "application/pdf", "image/heic" + "x" * 300]
LOCATIONS = [(52.2524, 6.2048), (52.238, 6.213), (0.0, 0.0), (91.0, 181.0), (-90.0, -180.0)]
LOCATIONS += [(1e308, -1e308), (52.25, 1000.0), (-0.0, 5e-324)]
_ALPHABETS = [
    string.printable,
    "²³¹⁰⁴⁵⁶⁷⁸⁹٠١٢٣٤٥٦٧٨٩०१२३",  # digits that are not ASCII
    "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d",  # zero-width and direction marks
    "אבגדהוזחטיכלמנסעפצקרשת ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "éèëïöüçñßøåæœÉŸ́̈",
    "😀🚮🗑️🏚️👮‍♀️🇳🇱",
    "<>&\"'/\\;:{}[]|",
]


def random_text(rnd: random.Random, longest: int = 5000) -> str:
    """Mostly hand-picked odd text; otherwise random characters from odd alphabets."""
    if rnd.random() < 0.5:
        return rnd.choice(ODD_TEXTS)
    alphabet = "".join(rnd.sample(_ALPHABETS, rnd.randint(1, 3)))
    length = rnd.choice([1, 2, 3, 10, 60, 121, 400, 1000, 1001, 4096, longest])
    return "".join(rnd.choice(alphabet) for _ in range(length))


@dataclass
class Sent:
    """One fuzzed update and what became of it."""

    update_id: int
    kind: str
    expected: str  # "answer" (a button press), "message" (a reply in the chat), "nothing"
    reacted: bool = False


@dataclass
class Fuzzer:
    """A person (resident or linked professional) who sends random, often hostile, updates."""

    user: SimUser
    rnd: random.Random
    others: list[SimUser]  # whose buttons can be stolen
    group: SimGroup
    sent: list[Sent] = field(default_factory=list)
    presses: list[tuple[int, str]] = field(default_factory=list)  # (user id, callback data)
    queries: int = 0
    typed: list[str] = field(default_factory=list)  # text and captions sent

    @property
    def sim(self) -> BotApiSimulator:
        return self.user.sim

    async def run(self, updates: int) -> None:
        await self._message("text", text="/start")  # a chat exists before its first button
        while len(self.sent) < updates:
            await self.act()

    async def act(self) -> None:
        actions: list[tuple[float, Callable[[], Any]]] = [
            (30, self.types),
            (8, self.commands),
            (18, self.presses_own_button),
            (12, self.presses_forged_button),
            (10, self.presses_stolen_button),
            (4, self.shares_location),
            (4, self.sends_photo),
            (3, self.sends_document),
            (2, self.sends_sticker_or_voice),
            (2, self.shares_contact),
            (3, self.edits),
            (2, self.speaks_in_group),
            (1, self.rolls_dice),
            (3, self.bursts),
            (25, self.answers_sensibly),
        ]
        weights = [w for w, _ in actions]
        _, action = self.rnd.choices(actions, weights)[0]
        await action()

    # -- messages ------------------------------------------------------------------------------
    async def answers_sensibly(self) -> None:
        """Answer the open question the way a person would, with odd answers where text goes,
        so fuzzed reports get all the way to an owner (the wijkmanager of Colmschate)."""
        last = self.user.inbox()[-1].body if self.user.inbox() else ""
        if "Waar is het" in last or "Where is it" in last:
            if self.rnd.random() < 0.3:
                lat, lon = self.rnd.choice(LOCATIONS[:2])
                await self._message("location", location={"latitude": lat, "longitude": lon})
            else:
                await self._message("text", text=self.rnd.choice(PLACES))
        elif any(
            word in last
            for word in (
                "Beschrijf",
                "Describe",
                "Wat is er gedaan",
                "What was done",
                "Waarom",
                "Why?",
            )
        ):
            await self._message("text", text=random_text(self.rnd))
        elif ("Mogen we contact" in last or "May the" in last) and self.rnd.random() < 0.5:
            await self._message("text", text=random_text(self.rnd, 300))
        else:
            await self.presses_own_button()

    async def types(self) -> None:
        await self._message("text", text=random_text(self.rnd))

    async def commands(self) -> None:
        argument = random_text(self.rnd) if self.rnd.random() < 0.6 else ""
        if self.rnd.random() < 0.15:
            argument = "inv_" + argument[:80]
        command = "/" + self.rnd.choice(COMMANDS)
        if command == "/start" and self.rnd.random() < 0.5:
            argument = self.rnd.choice(DEEP_LINKS)
        await self._message("command", text=f"{command} {argument}".rstrip())

    async def shares_location(self) -> None:
        lat, lon = self.rnd.choice(LOCATIONS)
        await self._message("location", location={"latitude": lat, "longitude": lon})

    async def sends_photo(self) -> None:
        file_id = self.sim.add_file(b"\xff\xd8jpeg")
        photo = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 9, "height": 9}]
        extra = {"caption": random_text(self.rnd, 1500)} if self.rnd.random() < 0.5 else {}
        await self._message("photo", photo=photo, **extra)

    async def sends_document(self) -> None:
        file_id = self.sim.add_file(b"MZ\x90\x00")
        name = self.rnd.choice(["foto.jpg", "../../etc/passwd", "a" * 300 + ".exe", "‮gpj.exe"])
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name}
        mime = self.rnd.choice(DOCUMENT_TYPES)
        if mime:
            document["mime_type"] = mime
        await self._message("document", document=document)

    async def sends_sticker_or_voice(self) -> None:
        if self.rnd.random() < 0.5:
            await self._message("sticker", sticker=_STICKER)
        else:
            await self._message(
                "voice", voice={"file_id": "v1", "file_unique_id": "v", "duration": 3}
            )

    async def shares_contact(self) -> None:
        phone = self.rnd.choice(["+31612345678", "0" * 5000, "<b>06</b>", "²⁰⁶"])
        other = self.rnd.choice(self.others)
        await self._message(
            "contact", contact={"phone_number": phone, "first_name": "X", "user_id": other.id}
        )

    async def edits(self) -> None:
        """Edit a message; a shared live location moving is an edit too, and needs no answer."""
        if self.rnd.random() < 0.3:
            lat, lon = self.rnd.choice(LOCATIONS)
            place = {"latitude": lat, "longitude": lon, "live_period": 900}
            message = self.sim.user_message(self.user.profile, self.user.chat, location=place)
            message["edit_date"] = message["date"]
            self.sent.append(
                Sent(await self.sim.push("edited_message", message), "live", "nothing")
            )
            return
        message = self.sim.user_message(
            self.user.profile, self.user.chat, text=random_text(self.rnd)
        )
        message["edit_date"] = message["date"]
        await self._push("edited", "edited_message", message, "message")

    async def speaks_in_group(self) -> None:
        """In a group only commands are for the bot; plain text is left alone on purpose."""
        command = self.rnd.random() < 0.5
        text = f"/{self.rnd.choice(['koppel', 'melden', 'taken'])} {random_text(self.rnd)}"
        chat = {"id": self.group.id, "type": "group", "title": self.group.title}
        message = self.sim.user_message(
            self.user.profile, chat, text=text if command else random_text(self.rnd)
        )
        update_id = await self.sim.push("message", message)
        # Commands in a group may be answered or not (/start is private); nothing is waited for.
        self.sent.append(Sent(update_id, "group", "nothing"))

    async def rolls_dice(self) -> None:
        """No handler takes a dice or a channel's post: deliberately ignored."""
        if self.rnd.random() < 0.5:
            message = self.sim.user_message(
                self.user.profile, self.user.chat, dice={"emoji": "🎲", "value": 7}
            )
            self.sent.append(Sent(await self.sim.push("message", message), "dice", "nothing"))
            return
        channel = {"id": -1009, "type": "channel", "title": "Kanaal"}
        post = {"message_id": 1, "date": 0, "chat": channel, "text": random_text(self.rnd)}
        post["edit_date"] = 1
        update_id = await self.sim.push("edited_channel_post", post)
        self.sent.append(Sent(update_id, "channel", "nothing"))

    async def bursts(self) -> None:
        """Several updates at once, as a double tap or an album does; the chat keeps order."""
        mine = [m for m in self.user.inbox()[-3:] if m.buttons()]
        if mine and self.rnd.random() < 0.6:
            message = mine[-1]
            _, data = self.rnd.choice(message.buttons())
            shown = message_json(message, **self._bot())
            await asyncio.gather(*(self._press("double", data, shown) for _ in range(2)))
            return
        album = [self.sends_photo() for _ in range(self.rnd.randint(2, 7))]
        await asyncio.gather(*album)

    # -- buttons -------------------------------------------------------------------------------
    async def presses_own_button(self) -> None:
        mine = [m for m in self.user.inbox()[-8:] if m.buttons()]
        if not mine:
            await self.presses_forged_button()
            return
        message = self.rnd.choice(mine)
        _, data = self.rnd.choice(message.buttons())
        await self._press("own", data, message_json(message, **self._bot()))

    async def presses_forged_button(self) -> None:
        roll = self.rnd.random()
        if roll < 0.4:
            data = self.rnd.choice(FORGED_DATA)
        elif roll < 0.7:
            data = "".join(chr(self.rnd.randint(1, 0x2FFF)) for _ in range(self.rnd.randint(1, 80)))
        else:
            signal, version = self.rnd.randint(1, 12), self.rnd.randint(0, 8)
            action = self.rnd.choice(["ok", "done", "nonote", "fwd", "to", "nm", "show", "back"])
            action = self.rnd.choice([action, "yes", "no"])
            tail = f":{self.rnd.randint(0, 60)}" if action == "to" else ""
            data = f"s:{signal}.{version}:{action}{tail}"
        await self._press("forged", data, self._own_message())

    async def presses_stolen_button(self) -> None:
        """Press another person's button: a card's, a reporter's "is it solved?", a draft's."""
        victim = self.rnd.choice(self.others)
        stolen = [data for m in victim.inbox()[-30:] for _, data in m.buttons()]
        if not stolen:
            await self.presses_forged_button()
            return
        await self._press("stolen", self.rnd.choice(stolen), self._own_message())

    def _own_message(self) -> dict[str, Any]:
        """One of the bot's messages in this chat, or one too old for Telegram to show."""
        mine = self.user.inbox()
        if not mine or self.rnd.random() < 0.1:
            return {"chat": self.user.chat, "message_id": self.rnd.randint(1, 10**6), "date": 0}
        return message_json(self.rnd.choice(mine[-10:]), **self._bot())

    def _bot(self) -> dict[str, Any]:
        return {"bot_id": self.sim.bot_id, "username": self.sim.username}

    async def _press(self, kind: str, data: str, message: dict[str, Any]) -> None:
        self.queries += 1
        query_id = f"fz-{self.user.id}-{self.queries}"
        query = {
            "id": query_id,
            "from": self.user.profile,
            "chat_instance": str(self.user.id),
            "data": data,
            "message": message,
        }
        update_id = await self.sim.push("callback_query", query)
        self.presses.append((self.user.id, data))
        sent = Sent(update_id, kind, "answer")
        self.sent.append(sent)
        sent.reacted = await _until(lambda: query_id in self.sim.callback_answers)

    async def _message(self, kind: str, **content: Any) -> None:
        self.typed.append(content.get("text") or content.get("caption") or "")
        message = self.sim.user_message(self.user.profile, self.user.chat, **content)
        await self._push(kind, "message", message, "message")

    async def _push(self, kind: str, update_kind: str, payload: dict[str, Any], expected: str):  # type: ignore[no-untyped-def]
        """Deliver and wait until the bot has said something after this message."""
        chat = self.sim.messages[self.user.id]
        after = len(chat)  # the message itself was just added; no await came in between
        sent = Sent(await self.sim.push(update_kind, payload), kind, expected)
        self.sent.append(sent)
        sent.reacted = await _until(lambda: any(m.from_bot for m in chat[after:]))


_STICKER = {
    "file_id": "s1",
    "file_unique_id": "s",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll the simulator's state; False when the bot stayed silent until the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.003)
    return True
