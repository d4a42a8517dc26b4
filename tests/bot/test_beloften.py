"""Promises kept through the real bot: fresh terms after reopening and handover, promised
dates that pass, an owner who can really be reached, and cards that say what is true now."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime

from kern.ticker import tick
from opslag import meldingen
from opslag.tabellen import SignalRow
from tests.bot.helpers import finish_report, report_waste
from tests.conftest import local

_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
_SAID_DATE = re.compile(
    r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) (\d{1,2}) ("
    + "|".join(_MONTHS)
    + r")"
)


async def _signal(services, reference: str) -> SignalRow:
    async with services.sessions() as session:
        signal = await meldingen.get_signal_by_reference(session, reference=reference)
        assert signal is not None
        return signal


def _move_clock(services, to: datetime) -> None:
    """Let the steady clock read `to` from now on (forward only: queued messages stay due)."""
    services.clock.start += to - services.clock()


def _said_dates(text: str) -> list[date]:
    """The dates a message states ("maandag 30 november"); the tests run from Nov 2026 on."""
    return [
        date(2026 if _MONTHS.index(month) >= 10 else 2027, _MONTHS.index(month) + 1, int(day))
        for day, month in _SAID_DATE.findall(text)
    ]


async def _until(condition, timeout: float = 5.0) -> None:
    """Wait until `condition()` holds (for edits, which add no message)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def _close(owner, resident, reference: str) -> None:
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")
    await owner.taps("Afgerond", card)
    await owner.expect("Wat is er gedaan")
    await owner.taps("Zonder toelichting")
    await owner.expect("is afgerond")


# -- 1. a new term after reopening or handing over ---------------------------------------------
async def test_reopened_report_gets_fresh_reminders_and_escalates(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    manager = await link_contact("wm-rivierenwijk", 2003, "Vera")
    reference = await report_waste(resident)  # Monday 23 Nov; due Wednesday 25 Nov
    await _close(owner, resident, reference)
    closed = await resident.expect("Is het probleem opgelost?")

    _move_clock(services, local(2026, 11, 26, 10, 0))  # the resident answers on Thursday
    await resident.taps("Nee, niet opgelost", closed)
    reopened = await resident.expect(f"We hebben {reference} weer open gezet")
    assert (
        "U hoort het uiterlijk maandag 30 november van ons" in reopened.body
    )  # two working days on
    await owner.expect(f"Heropende melding {reference}")

    await tick(services, local(2026, 11, 27, 17, 1))
    await owner.expect(f"Herinnering: {reference} moet morgen klaar zijn (maandag 30 november)")
    await tick(services, local(2026, 12, 2, 16, 59))
    assert (await _signal(services, reference)).escalated_at is None
    await tick(services, local(2026, 12, 2, 17, 1))  # twice the new term
    await manager.expect(f"Te laat: {reference} in Deltabuurt")
    await owner.expect(f"{reference} is te laat. Vera Brouwer is gevraagd")
    assert (await _signal(services, reference)).escalation_contact_id == "wm-rivierenwijk"


async def test_handed_over_report_reminds_the_new_owner_and_escalates_from_a_new_deadline(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    enforcer = await link_contact("hh-rivierenwijk", 2002, "Ruben")
    manager = await link_contact("wm-rivierenwijk", 2003, "Vera")
    reference = await report_waste(resident)  # due Wednesday 25 Nov, escalates Friday 27 Nov
    card = await owner.expect(f"Nieuwe melding {reference}")

    _move_clock(services, local(2026, 11, 25, 10, 0))
    await owner.taps("Doorsturen", card)
    await owner.taps("(handhaving)", await owner.expect("Naar wie stuurt u"))
    await owner.expect("Waarom?")
    await owner.says("Illegale kamerverhuur op dit adres")
    await enforcer.expect(f"Doorgestuurde melding {reference}")
    heard = await resident.expect(f"uw melding {reference} doorgestuurd")
    assert "U hoort het uiterlijk vrijdag 27 november" in heard.body

    await tick(services, local(2026, 11, 26, 17, 1))
    await enforcer.expect(f"Herinnering: {reference} moet morgen klaar zijn (vrijdag 27 november)")
    await tick(services, local(2026, 11, 27, 17, 1))  # the old term would escalate now
    await enforcer.expect(f"Herinnering: {reference} moet nu klaar zijn")
    assert (await _signal(services, reference)).escalated_at is None
    await tick(services, local(2026, 12, 1, 17, 1))
    await manager.expect(f"Te laat: {reference} in Deltabuurt")
    await enforcer.expect(f"{reference} is te laat. Vera Brouwer is gevraagd")
    assert not [m for m in owner.inbox() if "Herinnering" in m.body or "geëscaleerd" in m.body]


# -- 2. the promised date -----------------------------------------------------------------------
async def test_passed_promise_brings_a_new_future_date(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    receipt = next(m for m in resident.inbox() if "We hebben uw melding ontvangen" in m.body)
    assert "U hoort het uiterlijk woensdag 25 november van ons" in receipt.body
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")

    await tick(services, local(2026, 11, 25, 16, 59))
    assert not [m for m in resident.inbox() if "duurt langer" in m.body]
    await tick(services, local(2026, 11, 25, 17, 0))  # the promised moment, still open
    later = await resident.expect(f"Uw melding {reference} duurt langer dan we zeiden")
    assert "U hoort het uiterlijk maandag 30 november van ons" in later.body
    assert (await _signal(services, reference)).expected_at == local(2026, 11, 30, 17, 0)


async def test_no_message_to_the_reporter_states_a_past_date_after_a_long_quiet_period(
    bot, resident, link_contact, services, sim
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Oppakken", card)
    await resident.expect("is met uw melding")
    await tick(services, local(2026, 11, 25, 17, 0))
    await resident.expect("duurt langer dan we zeiden")  # now promised for Monday 30 Nov

    # Nobody ticked for six weeks (the promise, progress and escalation all fell due), then
    # the worker catches up, tick after tick.
    ticks = [local(2027, 1, 11, 10, 0), local(2027, 1, 11, 10, 1), local(2027, 1, 11, 10, 2)]
    seen = len(resident.inbox())
    for moment in ticks:
        await tick(services, moment)
    await sim.quiet(1.2)
    after = resident.inbox()[seen:]
    assert [m for m in after if "duurt langer" in m.body]
    for message in after:
        for said in _said_dates(message.body):
            assert said > ticks[0].date(), f"past date in: {message.body}"
    assert len([m for m in after if "duurt langer" in m.body]) == 1  # said once, not per timer
    assert len([m for m in after if "nog in behandeling" in m.body]) <= 1  # no catching up
    expected = (await _signal(services, reference)).expected_at
    assert expected is not None and expected > ticks[-1]


# -- 3. nobody without a reachable owner --------------------------------------------------------
async def test_report_for_an_unlinked_contact_goes_to_the_next_linked_one_in_line(
    bot, resident, link_contact, services
) -> None:
    manager = await link_contact("wm-rivierenwijk", 2003, "Vera")  # the wijkbeheerder is not
    reference = await report_waste(resident)
    receipt = next(m for m in resident.inbox() if "We hebben uw melding ontvangen" in m.body)
    assert (
        "De wijkmanager voor Deltabuurt (Gemeente Deventer, Wijkmanagement) pakt dit op"
        in receipt.body
    )
    card = await manager.expect(f"Nieuwe melding {reference}")
    assert "Het was bedoeld voor Olaf Brouwer, die nog niet op Telegram zit" in card.body
    signal = await _signal(services, reference)
    assert (signal.contact_id, signal.diverted_from) == ("wm-rivierenwijk", "wb-rivierenwijk")


async def test_handover_to_an_unlinked_contact_goes_to_the_next_in_line_and_says_so(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    manager = await link_contact("wm-rivierenwijk", 2003, "Vera")  # handhaving is not linked
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    await owner.taps("Doorsturen", card)
    await owner.taps("(handhaving)", await owner.expect("Naar wie stuurt u"))
    await owner.expect("Waarom?")
    await owner.says("Kamerverhuur, dit is voor handhaving")
    told = await owner.expect("zit nog niet op Telegram")
    assert (
        f"Ruben Koster zit nog niet op Telegram, dus {reference} is naar Vera Brouwer gegaan"
        in told.body
    )
    handed = await manager.expect(f"Doorgestuurde melding {reference}")
    assert "Kamerverhuur, dit is voor handhaving" in handed.body
    assert "Het was bedoeld voor Ruben Koster, die nog niet op Telegram zit" in handed.body
    await resident.expect(
        f"uw melding {reference} doorgestuurd naar de wijkmanager voor Deltabuurt"
    )
    signal = await _signal(services, reference)
    assert (signal.contact_id, signal.diverted_from) == ("wm-rivierenwijk", "hh-rivierenwijk")


async def test_care_report_without_a_place_goes_to_the_care_intake_and_coordinators_see_it(
    bot, sim, link_contact, services
) -> None:
    from bot.simulator.people import SimUser

    intake = await link_contact("st-intake", 2011, "Inge")
    coordinator = await link_contact("projectleider", 2010, "Marieke")
    neighbour = SimUser(sim, 1012, "Joke")
    await neighbour.says("Mijn buurvrouw is verward en eenzaam")
    await neighbour.expect("Zorg om een buur?")
    await neighbour.taps("Ja")
    reference = await finish_report(neighbour, place="Weet ik niet")
    receipt = next(m for m in neighbour.inbox() if "We hebben uw melding ontvangen" in m.body)
    assert (
        "Het sociaal team voor Deventer (Sociaal Team Deventer, centrale intake) pakt dit op"
        in receipt.body
    )
    assert (await _signal(services, reference)).contact_id == "st-intake"
    await intake.expect(f"Nieuwe melding {reference}")

    await coordinator.says("/taken")
    await coordinator.expect("/taken alle toont alle openstaande meldingen")
    await coordinator.says("/taken alle")
    everything = await coordinator.expect("Alle openstaande meldingen (1)")
    assert reference in everything.body and "Intake Sociaal Team" in everything.body
    await coordinator.says(reference)
    card = await coordinator.expect(f"Melding {reference}")
    assert "Mijn buurvrouw is verward en eenzaam" in card.body
    assert [label for label, _ in card.buttons()][:2] == ["Oppakken", "Afgerond"]


# -- 5. a tick at a moment ahead of the clock ---------------------------------------------------
async def test_tick_ahead_of_the_clock_does_not_hold_up_later_messages_to_that_chat(
    bot, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    first = await report_waste(resident)
    await owner.expect(f"Nieuwe melding {first}")
    # `wijksignaal tick --now` a day ahead while the bot runs on the real clock.
    assert (await tick(services, local(2026, 11, 24, 17, 1))).timers == 1
    await owner.expect(f"Herinnering: {first}", timeout=3)
    second = await report_waste(resident, place="Maasstraat 3")
    await owner.expect(f"Nieuwe melding {second}", timeout=3)


# -- 6. the owner's card ------------------------------------------------------------------------
async def test_card_from_tasks_comes_with_photos_pin_and_map_link(
    bot, sim, resident, link_contact
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    await resident.says("Vuilniszakken naast de container")
    await resident.taps("Ja", await resident.expect("Gaat uw melding over Afval?"))
    await resident.expect("Waar is het?")
    await resident.shares_location(52.24100, 6.16800)
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.sends_photo(b"\xff\xd8zakken")
    await resident.taps("Klaar", await resident.expect("1 foto ontvangen"))
    await resident.taps("Normaal", await resident.expect("Hoe dringend"))
    await resident.taps("Nee, anoniem", await resident.expect("Mogen we contact"))
    await resident.taps("Versturen", await resident.expect("Klopt dit?"))
    receipt = await resident.expect("We hebben uw melding ontvangen")
    reference = receipt.body.split("Nummer: ")[1].split()[0]
    await owner.expect(f"Nieuwe melding {reference}")
    await sim.quiet(1.2)

    await owner.says("/taken")
    tasks = await owner.expect("Uw openstaande meldingen (1)")
    seen = len(owner.inbox())
    await owner.taps(reference, tasks)
    card = await owner.expect(f"Melding {reference}")
    links = [e.get("url", "") for e in card.entities if e["type"] == "text_link"]
    assert (
        "https://www.openstreetmap.org/?mlat=52.241000&mlon=6.168000#map=18/52.241000/6.168000"
        in links
    )
    photo = await sim.wait_for(owner.id, lambda m: m.photo is not None, after=seen)
    assert sim.files[photo.photo] == b"\xff\xd8zakken" and photo.caption == reference
    pin = await sim.wait_for(owner.id, lambda m: m.location is not None, after=seen)
    assert pin.location == (52.241, 6.168)


async def test_handed_over_card_says_why_and_the_old_card_loses_its_buttons(
    bot, sim, resident, link_contact
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    enforcer = await link_contact("hh-rivierenwijk", 2002, "Ruben")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    assert (
        "Waarom bij u: u bent de wijkbeheerder voor Deltabuurt (Gemeente Deventer, Wijkbeheer) (regel afval-wijkbeheer)"
        in card.body
    )
    await owner.taps("Doorsturen", card)
    await owner.taps("(handhaving)", await owner.expect("Naar wie stuurt u"))
    await owner.expect("Waarom?")
    await owner.says("Dit is een woning met illegale kamerverhuur")
    handed = await enforcer.expect(f"Doorgestuurde melding {reference}")
    why = 'Waarom bij u: Olaf Brouwer stuurde het naar u door: "Dit is een woning met illegale kamerverhuur"'
    assert why in handed.body and "regel afval-wijkbeheer" not in handed.body

    await _until(lambda: not card.buttons())  # the first owner's card is disarmed
    assert handed.buttons()
    await enforcer.says("/taken")
    await enforcer.taps(reference, await enforcer.expect("Uw openstaande meldingen (1)"))
    again = await enforcer.expect(f"Melding {reference}")
    assert why in again.body
