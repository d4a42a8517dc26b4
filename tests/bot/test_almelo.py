"""Almelo's wijkaanpak through the real bot (regels/voorbeeld/almelo, from seed 003): the
stadsdeelcoördinator owns incidents, the kerngroep (alert-only people and the representative
of the street included) hears of a serious one at once, a term in working hours, escalation
to the regiegroep, and every incident with its approach in the group's digest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.simulator.people import SimChannel, SimGroup, SimUser
from kern.digests import parse_period, queue_digest
from kern.services import Services
from kern.texts import Texts
from kern.ticker import tick
from opslag import contacten
from opslag.database import SessionFactory
from regels.gemeente import Municipality
from regels.laden import load_municipality
from tests.bot.conftest import SteadyClock
from tests.bot.helpers import finish_report
from tests.conftest import local

ALMELO = Path(__file__).parents[2] / "regels" / "voorbeeld" / "almelo"


@pytest.fixture(scope="session")
def almelo() -> Municipality:
    return load_municipality(ALMELO)


@pytest.fixture
def services(almelo: Municipality, sessions: SessionFactory) -> Services:
    # Monday 23 November 2026, 10:00: office hours in Almelo.
    return Services(
        municipality=almelo,
        sessions=sessions,
        texts=Texts(),
        clock=SteadyClock(local(2026, 11, 23, 10, 0)),
    )


async def _report_nuisance(resident: SimUser, street: str) -> str:
    await resident.says("Al dagen vechtpartijen en vernielingen bij het winkelcentrum")
    await resident.expect("Gaat uw melding over")
    await resident.taps("Ja")
    return await finish_report(resident, place=street, urgency="Dringend")


async def test_a_serious_incident_alerts_the_kerngroep_and_escalates_to_the_regiegroep(
    bot, sim, resident, link_contact, services
) -> None:
    coordinator = await link_contact("sdc-de-riet", 2101, "Ilse")
    chair = await link_contact("voorzitter-de-riet", 2102, "Voorzitter")
    street_rep = await link_contact("bewoner-steffensweg", 2103, "Steffen")
    other_street = await link_contact("bewoner-lisdoddestraat", 2104, "Lies")
    agent = await link_contact("wa-de-riet", 2105, "Mehmet")

    reference = await _report_nuisance(resident, "Steffensweg 10")
    receipt = resident.inbox()[-1].body
    assert "De stadsdeelcoördinator voor De Riet (Gemeente Almelo) pakt dit op" in receipt
    assert "maandag 23 november" in receipt  # 4 working hours: today, 14:00

    await coordinator.expect(f"Nieuwe melding {reference}")
    for member in (chair, street_rep, agent):
        await member.expect(f"Ernstig incident {reference}")
    await sim.quiet(0.5)
    assert not [m for m in other_street.inbox() if reference in m.body]  # not their street
    assert "Welkom" in chair.inbox()[0].body and "Voorzitter" in chair.inbox()[0].body

    # Twice the term (4 more working hours) and still open: the whole regiegroep hears it;
    # the stadsdeelcoördinator keeps it.
    await tick(services, local(2026, 11, 23, 17, 59))
    assert not [m for m in chair.inbox() if "Te laat" in m.body]
    await tick(services, local(2026, 11, 24, 10, 31))
    for member in (agent, chair, street_rep):
        await member.expect(f"Te laat: {reference} in De Riet")
    await coordinator.expect(f"{reference} is te laat. Regiegroep De Riet is gevraagd")
    assert not [m for m in agent.inbox() if "Te laat, aan u gevraagd" in m.body]  # no card


async def test_a_care_signal_never_reaches_the_street_representative(
    bot, sim, resident, link_contact, services
) -> None:
    await link_contact("wz-de-riet", 2111, "Esther")
    street_rep = await link_contact("bewoner-steffensweg", 2112, "Steffen")
    await resident.says("/melden")
    await resident.expect("Waar gaat uw melding over?")
    await resident.taps("Zorgen om een buur")
    await resident.expect("Vertel")
    await resident.says("Mijn buurman komt al dagen niet buiten en de post stapelt zich op")
    reference = await finish_report(resident, place="Steffensweg 12", urgency="Dringend")
    assert reference
    await sim.quiet(1.0)
    assert not [m for m in street_rep.inbox() if reference in m.body]


async def test_the_regiegroep_reads_every_incident_with_the_approach_chosen(
    bot, sim, resident, link_contact, services
) -> None:
    coordinator = await link_contact("sdc-de-riet", 2121, "Ilse")
    reference = await _report_nuisance(resident, "Steffensweg 10")
    card = await coordinator.expect(f"Nieuwe melding {reference}")
    await coordinator.taps("Afgerond", card)
    await coordinator.expect("Wat is er gedaan")
    await coordinator.says("Gesprek met de jongeren en de winkeliers; extra toezicht")
    await coordinator.expect("is afgerond")

    group = SimGroup(sim, -100300400, "Regiegroep De Riet")
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session,
            purpose="group",
            target="de-riet",
            at=services.clock(),
            valid_for=timedelta(days=1),
        )
    await group.member_says(coordinator, f"/koppel {code}")
    await sim.wait_for(group.id, lambda m: "overzicht van wijk De Riet" in m.body)
    async with services.sessions.begin() as session:
        await queue_digest(session, services, "de-riet", parse_period("2026-W48"), [group.id])
    listing = await sim.wait_for(group.id, lambda m: "Alle meldingen van week 48" in m.body)
    line = next(line for line in listing.body.splitlines() if reference in line)
    assert "Steffensweg" in line and "de stadsdeelcoördinator" in line
    assert line.endswith("Gesprek met de jongeren en de winkeliers; extra toezicht")


async def test_the_public_wijk_channel_hears_what_was_solved_without_names(
    bot, sim, resident, link_contact, services
) -> None:
    coordinator = await link_contact("sdc-de-riet", 2131, "Ilse")
    coach = await link_contact("oc-de-riet", 2132, "Samira")  # De Riet's care: the coach
    channel = SimChannel(sim, -100500600, "Wijknieuws De Riet")
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session,
            purpose="channel",
            target="de-riet",
            at=services.clock(),
            valid_for=timedelta(days=1),
        )
    await channel.admin_posts(f"/koppel {code}")
    await sim.wait_for(channel.id, lambda m: "elk opgelost probleem in wijk De Riet" in m.body)

    await resident.says("Vuilniszakken en een matras naast de container")
    await resident.expect("Gaat uw melding over")
    await resident.taps("Ja")
    reference = await finish_report(resident, place="Steffensweg 14", contact="Ja, via Telegram")
    card = await coordinator.expect(f"Nieuwe melding {reference}")
    await coordinator.taps("Afgerond", card)
    prompt = await coordinator.expect("Wat is er gedaan")
    assert "openbare kanaal van de wijk" in prompt.body
    await coordinator.says("Zakken en matras opgehaald bij nummer 14, container geleegd")
    line = await sim.wait_for(channel.id, lambda m: "Opgelost" in m.body)
    assert line.body == (
        "✅ Opgelost: Afval en vuil · Steffensweg. Wat er is gedaan: Zakken en matras opgehaald "
        "bij nummer container geleegd"  # digits (house numbers, phone numbers) removed
    )
    assert "14" not in line.body and "Fatima" not in line.body and reference not in line.body

    # A care signal never reaches the channel, and its owner is not asked to write for it.
    await resident.says("/melden")
    await resident.expect("Waar gaat uw melding over?")
    await resident.taps("Zorgen om een buur")
    await resident.says("Mijn buurvrouw redt het niet meer alleen")
    care = await finish_report(resident, place="Steffensweg 16")
    card = await coach.expect(f"Nieuwe melding {care}")
    await coach.taps("Afgerond", card)
    prompt = await coach.expect("Wat is er gedaan")
    assert "openbare kanaal" not in prompt.body
    await coach.says("Huisbezoek gedaan, hulp geregeld")
    await coach.expect("is afgerond")
    await sim.quiet(1.0)
    assert len([m for m in channel.inbox() if "Opgelost" in m.body]) == 1
