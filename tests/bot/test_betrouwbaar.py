"""Nothing lost: a reply Telegram cannot take now, a fifth of all calls failing, and a worker
killed mid-conversation."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from bot.simulator.people import SimUser
from bot.simulator.server import BotApiSimulator
from kern.services import Services
from opslag import meldingen
from opslag.database import make_sessions
from opslag.tabellen import OutboxMessage, ProcessedUpdate, SignalRow
from tests.bot.helpers import report_waste


async def test_reference_reaches_the_resident_when_the_direct_reply_fails(
    bot, sim, resident
) -> None:
    """A 502 on the receipt: the outbox takes it over and the resident still gets the number."""
    await resident.says("Vuilniszakken naast de container")
    await resident.expect("Gaat uw melding over Afval?")
    await resident.taps("Ja")
    await resident.expect("Waar is het?")
    await resident.says("Rijnstraat 12")
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend is het?")
    await resident.taps("Normaal")
    await resident.expect("Mogen we contact met u opnemen")
    await resident.taps("Nee, anoniem")
    await resident.expect("Klopt dit?")
    sim.fail_next("sendMessage", status=502, chat_id=resident.id)
    await resident.taps("Versturen")
    receipt = await resident.expect("We hebben uw melding ontvangen", timeout=20)
    assert "WS-2026-" in receipt.body
    assert [code for _, code, _ in sim.refused] == [502]


async def test_a_429_on_a_reply_is_retried_after_its_wait_and_sent_once(bot, sim, resident) -> None:
    sim.fail_next("sendMessage", status=429, retry_after=1, chat_id=resident.id)
    await resident.says("/start")
    await resident.expect("Hier meldt u problemen", timeout=20)
    await sim.quiet(0.5)
    assert sum("Hier meldt u problemen" in m.body for m in resident.inbox()) == 1


def _url(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=False)


async def _start(sim: BotApiSimulator, url: str, cwd: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


@pytest.mark.parametrize("kills", [3])
async def test_killing_the_worker_mid_conversation_loses_no_update_and_no_report(
    sim: BotApiSimulator, engine: AsyncEngine, tmp_path: Path, kills: int
) -> None:
    """Residents keep reporting while `wijksignaal run` is SIGKILLed again and again: every
    update is handled (none confirmed to Telegram and then dropped), every report is stored
    once, and every resident gets their reference."""
    url = _url(engine)
    residents = [SimUser(sim, 5000 + n, f"Bewoner{n}") for n in range(8)]
    process = await _start(sim, url, tmp_path)

    async def report(user: SimUser) -> str:
        await asyncio.sleep(0.2 * (user.id % 8))
        return await report_waste(user, timeout=90)

    async def killer() -> int:
        landed = 0
        nonlocal process
        for _ in range(kills):
            await asyncio.sleep(1.5)
            process.send_signal(signal.SIGKILL)
            await process.wait()
            landed += 1
            process = await _start(sim, url, tmp_path)
        return landed

    try:
        references, landed = await asyncio.wait_for(
            asyncio.gather(asyncio.gather(*(report(u) for u in residents)), killer()), 240
        )
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)

    assert landed == kills
    assert len(set(references)) == len(residents)
    pushed = [u["update_id"] for u in sim.delivered] if sim.delivered else []
    async with make_sessions(engine)() as session:
        stored = (await session.execute(select(func.count()).select_from(SignalRow))).scalar_one()
        handled = set(await session.scalars(select(ProcessedUpdate.update_id)))
    assert stored == len(residents)  # none lost, none doubled
    assert not [u for u in pushed if u not in handled]  # every confirmed update was handled
    twice = sum(len(m) - len({x.body for x in m}) for m in map(SimUser.inbox, residents))
    print(
        f"\ncrash: {len(residents)} residents, {landed} kills, {len(pushed)} updates, "
        f"0 lost, {stored} reports, {twice} message(s) seen twice"
    )
    # Only a kill between Telegram's acceptance and our commit repeats a message: at most
    # one in flight per chat per kill (CI runs have seen 0 and 6 of a possible 24).
    assert twice <= kills * len(residents)


FAULT_SEED = int(os.environ.get("WIJKSIGNAAL_FAULT_SEED", "20261129"))


async def _settled(services: Services, update_id: int, chat_id: int) -> bool:
    """The press was handled and nothing for the chat is still on its way."""
    async with services.sessions() as session:
        handled = await session.get(ProcessedUpdate, update_id)
        pending = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.failed).is_(False),
            )
        )
    return handled is not None and not pending


async def _act(
    owner: SimUser,
    reference: str,
    label: str,
    done: Callable[[], Awaitable[bool]],
    services: Services,
) -> None:
    """Tap `label` on the newest message about `reference` that has it, until `done()`.

    A card is edited in place after each step. When that edit never reached Telegram the
    owner presses an old button; the bot then brings the card up to date (unless that edit
    is lost too), and the owner presses again, as a real one would. With no such message
    at all, the owner types the number to get the card."""
    loop = asyncio.get_running_loop()
    deadline, asked = loop.time() + 120, loop.time()
    while loop.time() < deadline:
        if await done():
            return
        message = next(
            (
                m
                for m in reversed(owner.inbox())
                if reference in m.body and any(label in text for text, _ in m.buttons())
            ),
            None,
        )
        if message is None:
            if loop.time() - asked > 15:
                await owner.says(reference)
                asked = loop.time()
            await asyncio.sleep(0.1)
            continue
        before = message.buttons()  # the simulator edits messages in place
        update_id = await owner.taps(label, message)
        # Wait for the effect. Press again only when the card changed (the press was on an
        # old one) or when the press was handled and nothing more is coming: its only
        # answers, an edit or a toast, were lost. Never while a reply may still arrive.
        while loop.time() < deadline and not await done() and message.buttons() == before:
            if await _settled(services, update_id, owner.id):
                await asyncio.sleep(1.0)  # the last message may be on its way to the chat
                if not await done():
                    break
            await asyncio.sleep(0.2)
        asked = loop.time()
    raise AssertionError(f"{label!r} on {reference} never took effect")


async def _handle_cards(owner: SimUser, references: list[str], services: Services) -> None:
    """Accept each report, then close it without a note (one at a time: one chat, one owner)."""

    def status_is(reference: str, status: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            async with services.sessions() as session:
                signal = await meldingen.get_signal_by_reference(session, reference=reference)
            return signal is not None and signal.status == status

        return check

    def asked(reference: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return any(f"Wat is er gedaan met {reference}" in m.body for m in owner.inbox())

        return check

    for reference in references:  # the cards came in any order; take them one by one
        async with asyncio.timeout(90):
            while not any(f"Nieuwe melding {reference}" in m.body for m in owner.inbox()):
                await asyncio.sleep(0.1)
        await _act(owner, reference, "Oppakken", status_is(reference, "in_behandeling"), services)
        await _act(owner, reference, "Afgerond", asked(reference), services)
        await _act(
            owner, reference, "Zonder toelichting", status_is(reference, "afgehandeld"), services
        )


async def test_with_a_fifth_of_all_calls_failing_every_message_arrives_once_and_in_order(
    bot, sim, services, link_contact
) -> None:
    """500, 502, 429, dropped connections and 6-12 s answers on 20% of the Bot API calls
    (sending, editing, answering buttons, getUpdates) while residents report and owners act:
    every resident gets their reference and every notice, no message arrives twice, and each
    chat gets its queued messages in the order they were queued."""
    owners = {
        "Rijnstraat 12": await link_contact("wb-rivierenwijk", 2001, "Olaf"),
        "Colmschaterstraat 4": await link_contact("wb-colmschate", 2010, "Bas"),
    }
    residents = [SimUser(sim, 6000 + n, f"Bewoner{n}") for n in range(8)]
    chaos = sim.inject_faults(0.2, seed=FAULT_SEED)
    places = list(owners)

    async def report(user: SimUser) -> tuple[str, str]:
        place = places[user.id % 2]
        return place, await report_waste(user, place=place, timeout=90)

    reported = await asyncio.wait_for(asyncio.gather(*(report(u) for u in residents)), 240)
    by_place = {p: [ref for place, ref in reported if place == p] for p in places}
    await asyncio.wait_for(
        asyncio.gather(*(_handle_cards(owners[p], refs, services) for p, refs in by_place.items())),
        300,
    )
    for user, (_, reference) in zip(residents, reported, strict=True):
        await user.expect(f"is met uw melding {reference}", timeout=90)
        solved = await user.expect("Is het probleem opgelost?", timeout=90)
        assert reference in solved.body
    sim.inject_faults(0, seed=0)
    # Messages still waiting out a back-off go when it ends; wait for the queue to empty.
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 120
    while True:
        async with services.sessions() as session:
            rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        if loop.time() > give_up or all(r.sent_at or r.failed for r in rows):
            break
        await asyncio.sleep(0.5)
    unsent = [
        (r.dedupe_key, r.method, r.attempts, r.last_error, r.failed)
        for r in rows
        if r.sent_at is None or r.failed
    ]
    order_broken = []
    last_id: dict[int, int] = {}
    for row in rows:
        if row.message_id is None:
            continue  # a reply sent directly, in its turn
        if row.message_id < last_id.get(row.chat_id, 0):
            order_broken.append(row.dedupe_key)
        last_id[row.chat_id] = row.message_id
    faults = dict(chaos.counts)
    print(
        f"\nfaults at 20% (seed {FAULT_SEED}): {sum(faults.values())} injected {faults}; "
        f"{len(residents)} residents, {len(rows)} outbox messages, {len(unsent)} undelivered, "
        f"{len(sim.sent_twice)} twice, {len(order_broken)} out of order, "
        f"{len({ref for _, ref in reported})} references received"
    )
    assert sum(faults.values()) >= 20  # the run really was faulty
    assert not unsent
    assert not sim.sent_twice
    assert not order_broken
