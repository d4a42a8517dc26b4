"""Drafts, buttons and input through the real bot: a half-written report is never lost unasked,
old buttons change nothing, and odd input is taken or refused, never quietly cut."""

from __future__ import annotations

import asyncio

from bot.simulator.people import SimUser
from opslag import meldingen
from opslag.tabellen import SignalRow
from tests.bot.helpers import finish_report, report_waste

LONG = ("Vuilniszakken naast de container bij de flat. " * 120)[:5000]


async def _signal(services, reference: str) -> SignalRow:
    async with services.sessions() as session:
        signal = await meldingen.get_signal_by_reference(session, reference=reference)
        assert signal is not None
        return signal


async def _answer(sim, update_id: int, timeout: float = 5.0) -> dict:
    """The bot's answer to the button tap delivered as update `update_id`."""
    update = next(u for u in sim.delivered if u["update_id"] == update_id)
    query_id = update["callback_query"]["id"]
    async with asyncio.timeout(timeout):
        while query_id not in sim.callback_answers:
            await asyncio.sleep(0.05)
    return sim.callback_answers[query_id]


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


# -- 4. drafts ----------------------------------------------------------------------------------
async def test_melden_start_or_text_mid_report_offers_to_continue_and_keeps_every_answer(
    bot, resident
) -> None:
    await resident.says("Vuilniszakken naast de container")
    await resident.taps("Ja", await resident.expect("Gaat uw melding over Afval?"))
    await resident.expect("Waar is het?")
    await resident.says("Rijnstraat 12")
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.sends_photo()
    await resident.taps("Klaar", await resident.expect("1 foto ontvangen"))
    urgency = await resident.expect("Hoe dringend is het?")

    for interruption in ("/melden", "/start", "Er staat ook een matras"):
        await resident.says(interruption)
        offer = await resident.expect("U was bezig met een melding over Afval")
        assert "Vuilniszakken naast de container" in offer.body
        assert "verder, of opnieuw beginnen?" in offer.body
        assert [label for label, _ in offer.buttons()] == [
            "Verder met deze melding",
            "Opnieuw beginnen",
        ]
        await resident.taps("Verder met deze melding", offer)
        await resident.expect("We gaan verder waar u was")
        urgency = await resident.expect("Hoe dringend is het?")

    await resident.taps("Normaal", urgency)
    await resident.taps("Nee, anoniem", await resident.expect("Mogen we contact"))
    summary = await resident.expect("Klopt dit?")
    for answer in (
        "Onderwerp: Afval",
        "Wat: Vuilniszakken naast de container",
        "Waar: Rijnstraat 12",
        "Foto's: 1",
        "Hoe dringend: Normaal",
    ):
        assert answer in summary.body


async def test_button_of_a_restarted_draft_no_longer_works_and_changes_nothing(
    bot, sim, resident, link_contact, services
) -> None:
    core = [
        await link_contact("wa-voorstad", 2004, "Bram"),
        await link_contact("wm-voorstad", 2005, "Gerrit"),
        await link_contact("st-voorstad", 2006, "Daan"),
    ]
    await resident.says("Er wordt gedeald in het portiek")
    await resident.taps("Ja", await resident.expect("Veiligheid en overlast?"))
    await resident.expect("Waar is het?")
    await resident.says("Randerstraat 3")
    await resident.taps("Geen foto", await resident.expect("Wilt u er een foto bij sturen?"))
    old_question = await resident.expect("Hoe dringend is het?")
    urgent = dict(old_question.buttons())["Dringend"]

    await resident.says("/melden")
    await resident.taps("Opnieuw beginnen", await resident.expect("U was bezig met een melding"))
    await resident.expect("Waar gaat uw melding over?")
    stale = await _answer(sim, await resident.taps("Dringend", old_question))
    assert stale["text"] == "Deze knop werkt niet meer." and stale.get("show_alert")
    await _until(lambda: not old_question.buttons())  # and its keyboard goes

    await resident.says("Weer gedeald bij de flat")
    await resident.taps("Ja", await resident.expect("Veiligheid en overlast?"))
    await resident.expect("Waar is het?")
    await resident.says("Randerstraat 3")
    await resident.taps("Geen foto", await resident.expect("Wilt u er een foto bij sturen?"))
    new_question = await resident.expect("Hoe dringend is het?")
    # A client still showing the old keyboard taps it on the same question of the new draft.
    again = await resident.taps_data(urgent, old_question)
    assert (await _answer(sim, again))["text"] == "Deze knop werkt niet meer."
    await resident.taps("Normaal", new_question)
    await resident.taps("Nee, anoniem", await resident.expect("Mogen we contact"))
    summary = await resident.expect("Klopt dit?")
    assert (
        "Hoe dringend: Normaal" in summary.body and "Wat: Weer gedeald bij de flat" in summary.body
    )
    await resident.taps("Versturen", summary)
    receipt = await resident.expect("We hebben uw melding ontvangen")
    reference = receipt.body.split("Nummer: ")[1].split()[0]
    await core[0].expect(f"Nieuwe melding {reference}")
    await sim.quiet(1.2)
    assert (await _signal(services, reference)).urgency == "normaal"
    assert not [m for member in core for m in member.inbox() if "Ernstig incident" in m.body]


# -- 6. input -----------------------------------------------------------------------------------
async def test_overlong_message_is_refused_with_its_limit_and_never_cut(
    bot, resident, services
) -> None:
    await resident.says(LONG)
    refused = await resident.expect("Dat is wat lang")
    assert "hooguit 1000 tekens gebruiken, uw bericht heeft er 5000" in refused.body
    await resident.says("/melden")
    await resident.taps("Afval", await resident.expect("Waar gaat uw melding over?"))
    await resident.expect("Vertel in een paar zinnen")
    await resident.says(LONG)
    refused = await resident.expect("Dat is wat lang")
    assert "hooguit 1000 tekens gebruiken, uw bericht heeft er 5000" in refused.body
    await resident.says("Vuilniszakken naast de container")
    reference = await finish_report(resident, place="Rijnstraat 12")
    assert (await _signal(services, reference)).description == "Vuilniszakken naast de container"


async def test_an_overlong_caption_is_refused_never_cut(bot, resident, services) -> None:
    # Cut to 1,001 characters and then stripped, this caption used to become a description.
    await resident.sends_photo(caption="straat " * 700)
    refused = await resident.expect("Dat is wat lang")
    assert "hooguit 1000 tekens gebruiken, uw bericht heeft er 4900" in refused.body
    await resident.says("/melden")
    await resident.expect("Waar gaat uw melding over?")  # nothing half-written was kept
    assert not [m for m in resident.inbox() if "straat straat" in m.body]


async def test_photo_sent_as_a_file_is_a_photo_of_the_report_and_reaches_the_owner(
    bot, sim, resident, link_contact
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    await resident.says("Vuilniszakken naast de container")
    await resident.taps("Ja", await resident.expect("Gaat uw melding over Afval?"))
    await resident.expect("Waar is het?")
    await resident.says("Rijnstraat 12")
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.sends_document(b"\xff\xd8volle-kwaliteit", file_name="IMG_0042.jpg")
    await resident.taps("Klaar", await resident.expect("1 foto ontvangen"))
    await resident.taps("Normaal", await resident.expect("Hoe dringend"))
    await resident.taps("Nee, anoniem", await resident.expect("Mogen we contact"))
    summary = await resident.expect("Klopt dit?")
    assert "Foto's: 1" in summary.body
    await resident.taps("Versturen", summary)
    receipt = await resident.expect("We hebben uw melding ontvangen")
    reference = receipt.body.split("Nummer: ")[1].split()[0]
    await owner.expect(f"Nieuwe melding {reference}")
    sent = await sim.wait_for(owner.id, lambda m: m.document is not None)
    assert sim.files[sent.document] == b"\xff\xd8volle-kwaliteit" and sent.caption == reference


async def test_references_are_found_however_they_are_typed(bot, sim, resident) -> None:
    reference = await report_waste(resident)
    assert reference == "WS-2026-000001"
    for typed in ("WS 2026 000001", "ws-2026-1", "ws2026000001"):
        await resident.says(typed)
        history = await resident.expect(f"{reference} · Afval")
        assert "bij de juiste persoon" in history.body
    stranger = SimUser(sim, 1099, "Mallory")
    await stranger.says("ws-2026-1")
    await stranger.expect(f"Ik kan {reference} niet vinden bij uw meldingen")


async def test_linked_professional_typing_starts_a_professional_signal(
    bot, link_contact, services
) -> None:
    agent = await link_contact("wa-voorstad", 2004, "Bram")
    await agent.says("/annuleren")
    nothing = await agent.expect("Er staat niets open om te stoppen")
    assert "/taken" in nothing.body
    await agent.says("Vuilniszakken naast de container bij de flat")
    await agent.taps("Ja", await agent.expect("Gaat uw melding over Afval?"))
    reference = await finish_report(agent, place="Randerstraat 3")
    signal = await _signal(services, reference)
    assert (signal.reporter_role, signal.contact_id) == ("professional", "wb-voorstad")


async def test_handover_list_and_reason_question_close_with_back_and_change_nothing(
    bot, sim, resident, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    enforcer = await link_contact("hh-rivierenwijk", 2002, "Ruben")
    reference = await report_waste(resident)
    card = await owner.expect(f"Nieuwe melding {reference}")
    before = await _signal(services, reference)

    await owner.taps("Doorsturen", card)
    choices = await owner.expect("Naar wie stuurt u")
    assert "↩ Terug" in [label for label, _ in choices.buttons()]
    await owner.taps("↩ Terug", choices)
    await _until(lambda: not choices.buttons())

    await owner.taps("Doorsturen", card)
    await owner.taps("(handhaving)", await owner.expect("Naar wie stuurt u"))
    question = await owner.expect("Waarom?")
    assert [label for label, _ in question.buttons()] == ["↩ Terug"]
    await owner.taps("↩ Terug", question)
    await _until(lambda: not question.buttons())
    await owner.says("Illegale kamerverhuur")  # no longer read as the reason
    await owner.expect("Gaat uw melding over")
    await sim.quiet(1.2)

    after = await _signal(services, reference)
    assert (after.contact_id, after.status, after.version) == (
        before.contact_id,
        before.status,
        before.version,
    )
    assert not [m for m in enforcer.inbox() if reference in m.body]
    await owner.taps("Oppakken", card)  # the card still works
    await resident.expect("is met uw melding")
