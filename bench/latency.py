"""Latency guard: one person's 4,096-character message must not hold up anyone else.

Run: .venv/bin/python bench/latency.py [TRIES]
The real bot + the simulator + SQLite. At each step of the report conversation (and as an
owner whose reason is awaited) one user sends a 4,096-character message, TRIES times, while
another user keeps sending /start. Reported per step: the big message's own answer time and
the other user's /start answer time (median and max) against /start with no big messages.
Target: the other user is slowed by < 50 ms (their max, against the quiet median).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.chat.app import running
from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator
from kern.services import Services
from kern.texts import Texts
from opslag import contacten
from opslag.database import make_engine, make_sessions, upgrade
from regels.laden import load_municipality

TARGET_MS = 50.0
_WORDS = ["vuilniszakken", "container", "portiek", "overlast", "eenzaam", "lantaarnpaal"]


def big_message(seed: int = 4096) -> str:
    """4,096 characters of distinct made-up words and a few keywords, misspelt: for the theme
    suggestion, the slowest text of that length (every word is compared with every keyword)."""
    rnd = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < 4096:
        if rnd.random() < 0.2:
            word = rnd.choice(_WORDS)
            at = rnd.randrange(len(word))
            words.append(word[:at] + word[at + 1 :])
        else:
            words.append("".join(rnd.choice("abcdefghijklmnoprstuvwz") for _ in range(8)))
    return " ".join(words)[:4096]


async def answer_time(user: SimUser, send: Callable[[], Awaitable[int]]) -> float:
    """Seconds from sending to the bot's next message in the user's chat."""
    after = len(user.inbox())
    started = time.perf_counter()
    await send()
    await user.sim.wait_for(user.id, lambda _: True, after=after, timeout=30)
    user.seen = len(user.inbox())
    return time.perf_counter() - started


async def keep_starting(other: SimUser, stop: asyncio.Event, samples: list[float]) -> None:
    """The other user: /start, wait for the welcome, again, until told to stop."""
    while not stop.is_set():
        samples.append(await answer_time(other, lambda: other.says("/start")))


async def measure(big: SimUser, other: SimUser, tries: int) -> tuple[list[float], list[float]]:
    """Send the big message `tries` times, the other user starting all the while."""
    own, others = [], []
    text = big_message()
    for _ in range(tries):
        stop = asyncio.Event()
        loop = asyncio.create_task(keep_starting(other, stop, others))
        await asyncio.sleep(0.005)  # the other user's /start is under way first
        own.append(await answer_time(big, lambda: big.says(text)))
        stop.set()
        await loop
        await asyncio.sleep(0.05)  # a reply in two messages: let the second arrive first
    return own, others


# -- bringing a user to a step (not timed) -----------------------------------------------------
async def tap(user: SimUser, fragment: str, label: str) -> None:
    await user.taps(label, await user.expect(fragment, timeout=30))


async def to_theme(user: SimUser) -> None:
    await user.says("/melden")
    await user.expect("Waar gaat uw melding over?", timeout=30)


async def to_description(user: SimUser) -> None:
    await user.says("/melden")
    await tap(user, "Waar gaat uw melding over?", "Afval")
    await user.expect("Vertel", timeout=30)


async def to_place(user: SimUser) -> None:
    await user.says("Vuilniszakken naast de container")
    await tap(user, "Gaat uw melding over", "Ja")
    await user.expect("Waar is het?", timeout=30)


async def to_photos(user: SimUser) -> None:
    await to_place(user)
    await user.says("Rijnstraat 12")
    await user.expect("Wilt u er een foto", timeout=30)


async def to_urgency(user: SimUser) -> None:
    await to_photos(user)
    await user.taps("Geen foto")
    await user.expect("Hoe dringend", timeout=30)


async def to_contact(user: SimUser) -> None:
    await to_urgency(user)
    await user.taps("Normaal")
    await user.expect("Mogen we contact", timeout=30)


async def to_summary(user: SimUser) -> None:
    await to_contact(user)
    await user.taps("Nee, anoniem")
    await user.expect("Klopt dit?", timeout=30)


async def to_awaited_reason(owner: SimUser, services: Services) -> None:
    """Link `owner` as the Deltabuurt's wijkbeheerder, have a report routed there, and press
    Doorsturen, a contact: the bot now waits for the owner's reason."""
    async with services.transaction() as session:
        token = await contacten.create_invite(
            session,
            purpose="contact",
            target="wb-rivierenwijk",
            at=services.clock(),
            valid_for=timedelta(days=1),
        )
    await owner.says(f"/start inv_{token}")
    await owner.expect("Welkom", timeout=30)
    resident = SimUser(owner.sim, 99_001, "Fatima")
    await to_summary(resident)
    await resident.taps("Versturen")
    card = await owner.expect("Nieuwe melding", timeout=30)
    await owner.taps("Doorsturen", card)
    await tap(owner, "Naar wie stuurt u", "(handhaving)")
    await owner.expect("Waarom?", timeout=30)


async def to_idle(user: SimUser) -> None:
    """No report being written: each try starts one, so cancel it before the next."""


STEPS: list[tuple[str, Callable[[SimUser], Awaitable[None]]]] = [
    ("idle", to_idle),
    ("theme question", to_theme),
    ("description", to_description),
    ("place", to_place),
    ("photos", to_photos),
    ("urgency", to_urgency),
    ("contact", to_contact),
    ("summary", to_summary),
]


async def run(tries: int) -> list[tuple[str, list[float], list[float]]]:
    sim = BotApiSimulator()
    await sim.start()
    results: list[tuple[str, list[float], list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'latency.db'}")
        await upgrade(engine)
        services = Services(
            municipality=load_municipality(),
            sessions=make_sessions(engine),
            texts=Texts(),
            clock=lambda: datetime.now(UTC),
        )
        async with running(
            services, token=sim.token, api_url=sim.api_url, file_url=sim.file_url, poll_timeout=1
        ):
            other = SimUser(sim, 50_000, "Olga")
            await answer_time(other, lambda: other.says("/start"))  # warm up
            quiet: list[float] = []
            for _ in range(tries * 3):
                quiet.append(await answer_time(other, lambda: other.says("/start")))
            results.append(("no big messages", [], quiet))
            for n, (name, prepare) in enumerate(STEPS):
                big = SimUser(sim, 60_000 + n, "Bram")
                await prepare(big)
                if name == "idle":
                    own, others = [], []
                    for _ in range(tries):
                        o, s = await measure(big, other, 1)
                        own, others = own + o, others + s
                        await big.says("/annuleren")
                        await big.expect("geannuleerd", timeout=30)
                else:
                    own, others = await measure(big, other, tries)
                results.append((name, own, others))
            owner = SimUser(sim, 70_000, "Olaf")
            await to_awaited_reason(owner, services)
            results.append(("owner's awaited reason", *await measure(owner, other, tries)))
        await engine.dispose()
    await sim.stop()
    return results


def ms(values: list[float], how: Callable[[list[float]], float]) -> str:
    return f"{how(values) * 1000:7.1f}" if values else "      -"


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    results = asyncio.run(run(tries))
    quiet_median = statistics.median(results[0][2])
    print(f"{tries} big messages (4,096 characters) per step; times in ms")
    print(
        f"{'step':<24} {'own med':>7} {'own max':>7} {'/start med':>10} {'/start max':>10} "
        f"{'slowed by':>9}"
    )
    worst = 0.0
    for name, own, others in results:
        slowed = (max(others) - quiet_median) * 1000
        worst = max(worst, slowed) if own else worst
        print(
            f"{name:<24} {ms(own, statistics.median)} {ms(own, max)} "
            f"{ms(others, statistics.median):>10} {ms(others, max):>10} {slowed:9.1f}"
        )
    verdict = "ok" if worst < TARGET_MS else "TOO SLOW"
    print(f"other user slowed by at most {worst:.1f} ms (target < {TARGET_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
