"""Several workers on one PostgreSQL database never send a reminder or a digest twice."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import func, select
from telegram import Bot

from bot.chat.outbox_sender import Limits, OutboxSender
from kern.services import Services
from kern.texts import Texts
from kern.ticker import tick
from opslag import contacten, meldingen, outbox
from opslag.database import make_engine, make_sessions
from opslag.tabellen import OutboxMessage
from signalen.model import Place, Reporter, Urgency
from tests.bot.conftest import SteadyClock
from tests.conftest import PG_URL, local

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="WIJKSIGNAAL_TEST_DATABASE_URL not set (CI sets it)"
)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
async def test_two_workers_tick_and_send_each_reminder_and_digest_once(
    engine, deventer, sim
) -> None:
    clock = SteadyClock(local(2026, 11, 23, 10, 0))
    workers = []
    for _ in range(2):
        other = make_engine(PG_URL)
        workers.append(
            (
                other,
                Services(
                    municipality=deventer, sessions=make_sessions(other), texts=Texts(), clock=clock
                ),
            )
        )
    try:
        await _two_workers(workers, sim, clock)
    finally:
        for other, _ in workers:
            await other.dispose()


async def _two_workers(workers, sim, clock) -> None:
    first = workers[0][1]
    owner_chat, group_chat = 2001, -100
    sim.chats.update({owner_chat, group_chat})
    async with first.sessions.begin() as session:
        await contacten.register_contact(
            session,
            contact_id="wb-rivierenwijk",
            telegram_user_id=2001,
            chat_id=owner_chat,
            language="nl",
            at=clock(),
        )
        # Linked in September: it gets the digests of W47 and October (not of periods before).
        linked = local(2026, 9, 1, 9, 0)
        await contacten.link_group(session, chat_id=group_chat, district="rivierenwijk", at=linked)
    from kern.planning import replan

    async with first.sessions.begin() as session:
        for n in range(20):
            signal = await meldingen.add_signal(
                session,
                theme="afval",
                description=f"zakken {n}",
                place=Place(
                    street="Rijnstraat", neighbourhood="deltabuurt", district="rivierenwijk"
                ),
                urgency=Urgency.NORMAAL,
                reporter=Reporter(telegram_user_id=5000 + n),
                routing=meldingen.Routing(
                    contact_id="wb-rivierenwijk",
                    escalation_contact_id="wm-rivierenwijk",
                    rule_id="afval-wijkbeheer",
                    explanation="test",
                    priority=Urgency.NORMAAL,
                    deadline=local(2026, 11, 25, 17),
                    deadline_days=2,
                ),
                reported_at=clock(),
            )
            await session.flush()
            await replan(session, first, signal, clock())

    now = local(2026, 11, 24, 17, 5)  # the reminders before the deadline, and two digests
    reports = await asyncio.gather(*(tick(services, now) for _, services in workers))
    assert sum(r.digests for r in reports) == 2  # W47 and October, once each, between the two
    assert sum(r.timers for r in reports) == 20  # one reminder per signal, between the two

    fast = Limits(private_interval=0.0, group_interval=0.0, per_second=1000.0)
    async with Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url) as bot:
        senders = [
            OutboxSender(bot, services.sessions, services.clock, fast) for _, services in workers
        ]
        await asyncio.gather(*(sender.drain(timeout=60) for sender in senders))
    async with first.sessions() as session:
        queued = (
            await session.execute(select(func.count()).select_from(OutboxMessage))
        ).scalar_one()
        assert await outbox.pending_count(session) == 0
    delivered = sim.bot_messages(owner_chat) + sim.bot_messages(group_chat)
    assert sum(s.stats.sent for s in senders) == len(delivered) == queued  # each row sent once
    for n in range(1, 21):
        reference = f"WS-2026-{n:06d}"
        assert sum(f"Herinnering: {reference} moet morgen" in m.body for m in delivered) == 1
    digests = [m.body for m in sim.bot_messages(group_chat) if m.body.startswith("Overzicht")]
    periods = sorted(re.split(r"[:\n]", d.split(": ", 1)[1])[0] for d in digests)
    assert periods == ["oktober 2026", "week 47, 16–22 november"]
