"""The rest of what a resident touches: their reports, language, changes, places, groups."""

from __future__ import annotations

from datetime import timedelta

from opslag import contacten, meldingen
from tests.bot.helpers import report_waste


async def test_my_reports_and_history_show_only_own_reports(bot, sim, resident, services) -> None:
    from bot.simulator.people import SimUser

    reference = await report_waste(resident)
    await resident.says("/mijnmeldingen")
    listing = await resident.expect("Uw meldingen")
    assert (
        f"{reference} · Afval · Rijnstraat 12, Deltabuurt · bij de juiste persoon" in listing.body
    )
    await resident.says(reference.lower())
    history = await resident.expect(reference)
    assert "gemeld" in history.body and "bij de juiste persoon" in history.body
    assert "afval-wijkbeheer" not in history.body  # internal routing notes stay internal

    neighbour = SimUser(sim, 1003, "Kees")
    await neighbour.says(reference)
    await neighbour.expect(f"Ik kan {reference} niet vinden bij uw meldingen")
    await neighbour.says("/mijnmeldingen")
    await neighbour.expect("U heeft nog geen meldingen gedaan")


async def test_english_speaker_gets_english_and_can_switch(bot, sim) -> None:
    from bot.simulator.people import SimUser

    visitor = SimUser(sim, 1004, "Emma", language_code="en-GB")
    await visitor.says("/start")
    await visitor.expect("Here you can report problems")
    await visitor.says("/taal")
    await visitor.expect("Which language")
    await visitor.taps("Nederlands")
    await visitor.expect("Ik spreek vanaf nu Nederlands met u")
    await visitor.says("/melden")
    await visitor.expect("Waar gaat uw melding over?")


async def test_change_from_the_summary_returns_to_the_summary(bot, resident) -> None:
    await resident.says("Zwerfafval bij de glasbak")
    await resident.expect("Afval?")
    await resident.taps("Ja")
    await resident.expect("Waar is het?")
    await resident.says("Weet ik niet")
    await resident.expect("✓ Plek: Weet ik niet")
    await resident.expect("foto")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend")
    await resident.taps("Kan wachten")
    await resident.expect("contact")
    await resident.taps("Nee, anoniem")
    await resident.expect("Klopt dit?")
    await resident.taps("Wijzigen")
    await resident.expect("Wat wilt u veranderen?")
    await resident.taps("Plek")
    await resident.expect("Waar is het?")
    await resident.says("Gooierstraat 7")
    summary = await resident.expect("Klopt dit?")
    assert (
        "Waar: Gooierstraat 7, Sluiswijk" in summary.body
        and "Hoe dringend: Kan wachten" in summary.body
    )


async def test_unknown_street_offers_suggestions(bot, resident) -> None:
    await resident.says("/melden")
    await resident.expect("Waar gaat")
    await resident.taps("Buurt en straat")
    await resident.expect("Vertel")
    await resident.says("Lantaarnpaal kapot")
    await resident.expect("Waar is het?")
    await resident.says("Randerstrat 5")
    offer = await resident.expect(
        '"Randerstrat" ken ik niet in Deventer. Bedoelt u een van deze straten?'
    )
    label, data = offer.buttons()[0]
    assert label == "Randerstraat" and data.startswith("d:") and data.endswith(":street:0")
    await resident.taps("Randerstraat", offer)
    await resident.expect("✓ Plek: Randerstraat 5, Sluiswijk")


async def test_shared_location_places_the_report(bot, resident, services) -> None:
    await resident.says("/melden")
    await resident.expect("Waar gaat")
    await resident.taps("Afval")
    await resident.expect("Vertel")
    await resident.says("Matras op de stoep")
    await resident.expect("Waar is het?")
    await resident.shares_location(48.85, 2.35)
    await resident.expect("Die plek ligt buiten de buurten")
    await resident.shares_location(52.2410, 6.1700)
    await resident.expect("✓ Plek: Deltabuurt")


async def test_deep_link_neighbourhood_is_used_when_place_unknown(bot, resident, services) -> None:
    await resident.says("/start keizerslanden")
    await resident.expect("U meldt voor Keizerslanden")
    await resident.says("Mijn buurman is erg eenzaam en verward")
    await resident.expect("Zorg om een buur?")
    await resident.taps("Ja")
    await resident.expect("Waar is het?")
    await resident.says("Weet ik niet")
    await resident.expect("✓ Plek: Keizerslanden")
    await resident.expect("foto")
    await resident.taps("Geen foto")
    await resident.expect("Hoe dringend")
    await resident.taps("Normaal")
    await resident.expect("contact")
    await resident.shares_phone("+31 6 12345678")
    summary = await resident.expect("Klopt dit?")
    assert "Contact: Fatima, +31 6 12345678" in summary.body
    await resident.taps("Versturen")
    await resident.expect("Het sociaal team voor Keizerslanden (Sociaal Team Deventer) pakt dit op")


async def test_working_group_links_with_a_code(bot, sim, group, resident, services) -> None:
    async with services.sessions.begin() as session:
        code = await contacten.create_invite(
            session,
            purpose="group",
            target="voorstad",
            at=services.clock(),
            valid_for=timedelta(days=7),
        )
    await group.member_says(resident, "/koppel WRONG123")
    await sim.wait_for(group.id, lambda m: "Die code klopt niet" in m.body)
    await group.member_says(resident, f"/koppel {code.lower()}")
    await sim.wait_for(group.id, lambda m: "overzicht van wijk Voorstad" in m.body)
    async with services.sessions() as session:
        assert await contacten.groups_of_district(session, district="voorstad") == [group.id]
    await resident.says("/koppel ABC")
    await resident.expect("Gebruik /koppel in de groepschat")


async def test_reporter_is_told_who_owns_it_even_without_a_linked_owner(
    bot, resident, services
) -> None:
    reference = await report_waste(resident, place="Zandweerseweg 3")
    async with services.sessions() as session:
        signal = await meldingen.get_signal_by_reference(session, reference=reference)
    assert signal.contact_id == "wb-zandweerd"  # owned even before anyone linked Telegram
