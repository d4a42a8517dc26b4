"""An escalation chain (`escalate_to: [a, b]`): the wijkmanager is asked when the report is
overdue, the projectleider when it is still open after another term, each once."""

from __future__ import annotations

import pytest

from kern.ticker import tick
from regels.gemeente import Municipality
from regels.laden import load_municipality
from tests.bot.helpers import report_waste
from tests.conftest import local

CHAIN = (
    "rules.yaml",
    "    then:\n      role: wijkbeheerder",
    "    then:\n      role: wijkbeheerder\n      escalate_to: [wm-rivierenwijk, projectleider]",
)


@pytest.fixture
def deventer(config_copy) -> Municipality:  # this module's Deventer has the chain
    return load_municipality(config_copy(CHAIN))


async def test_the_chain_asks_the_next_one_after_another_term(
    bot, resident, link_contact, services, sim
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    manager = await link_contact("wm-rivierenwijk", 2003, "Mirjam")
    lead = await link_contact("projectleider", 2004, "Marieke")
    reference = await report_waste(resident)  # Monday, due Wednesday 25 Nov 17:00
    await owner.expect(f"Nieuwe melding {reference}")

    await tick(services, local(2026, 11, 27, 17, 1))  # 2 working days over: the first link
    await manager.expect(f"Te laat: {reference} in Deltabuurt")
    await owner.expect(f"{reference} is te laat. Vera Brouwer is gevraagd")
    await sim.quiet(0.5)
    assert not [m for m in lead.inbox() if reference in m.body]

    await tick(services, local(2026, 12, 1, 16, 59))  # not yet: 2 more working days
    await sim.quiet(0.5)
    assert not [m for m in lead.inbox() if reference in m.body]
    await tick(services, local(2026, 12, 1, 17, 1))
    await lead.expect(f"Te laat: {reference} in Deltabuurt")
    await owner.expect(f"{reference} is te laat. Marieke Stegeman is gevraagd")

    await tick(services, local(2026, 12, 10, 17, 1))  # much later: no third ask
    await sim.quiet(0.5)
    asked = [m for m in (manager.inbox() + lead.inbox()) if f"Te laat: {reference}" in m.body]
    assert len(asked) == 2  # each link once
