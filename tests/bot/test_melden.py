"""A resident reports from a phone, end to end through the simulator and the real bot."""

from __future__ import annotations

from sqlalchemy import select

from bot.simulator.people import SimUser
from opslag.tabellen import SignalRow


async def test_resident_reports_waste_and_hears_who_owns_it(
    bot, resident: SimUser, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    await resident.says("/start")
    welcome = await resident.expect("Hier meldt u problemen")
    assert "112" in welcome.body and "0900-8844" in welcome.body

    await resident.says("Weer vuilniszakken naast de ondergrondse container")
    await resident.expect("Gaat uw melding over Afval?")
    await resident.taps("Ja")
    place = await resident.expect("Waar is het?")
    assert place.keyboard() == ["📍 Locatie delen", "Weet ik niet"]
    await resident.says("Rijnstraat 12")
    await resident.expect("✓ Plek: Rijnstraat 12, Deltabuurt")
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.sends_photo()
    await resident.expect("1 foto ontvangen")
    await resident.sends_photo()
    await resident.expect("2 foto's ontvangen")
    await resident.taps("Klaar")
    await resident.expect("Hoe dringend is het?")
    await resident.taps("Normaal")
    await resident.expect("Mogen we contact met u opnemen")
    await resident.taps("Nee, anoniem")
    summary = await resident.expect("Uw melding")
    for line in (
        "Onderwerp: Afval",
        "Wat: Weer vuilniszakken naast de ondergrondse container",
        "Waar: Rijnstraat 12, Deltabuurt",
        "Foto's: 2",
        "Hoe dringend: Normaal",
        "Contact: anoniem",
    ):
        assert line in summary.body
    await resident.taps("Versturen")
    receipt = await resident.expect("Bedankt! We hebben uw melding ontvangen.")
    assert "WS-2026-000001" in receipt.body
    assert (
        "De wijkbeheerder voor Deltabuurt (Gemeente Deventer, Wijkbeheer) pakt dit op"
        in receipt.body
    )
    assert "woensdag 25 november" in receipt.body

    card = await owner.expect("Nieuwe melding WS-2026-000001")
    assert "Weer vuilniszakken" in card.body and "Melder: anoniem" in card.body
    assert [label for label, _ in card.buttons()] == [
        "Oppakken",
        "Afgerond",
        "Doorsturen",
        "Niet voor mij",
    ]
    photos = [await owner.expect("WS-2026-000001"), await owner.expect("WS-2026-000001")]
    assert [p.photo is not None for p in photos] == [True, True]

    async with services.sessions() as session:
        [stored] = (await session.scalars(select(SignalRow))).all()
    assert (stored.theme, stored.neighbourhood, stored.contact_id, stored.status) == (
        "afval",
        "deltabuurt",
        "wb-rivierenwijk",
        "toegewezen",
    )
    assert stored.reporter_anonymous and stored.reporter_name is None


async def test_unsure_the_bot_offers_the_two_likely_themes_then_something_else(
    bot, resident: SimUser, services
) -> None:
    text = "overlast van vuilnis en herrie van de buren"
    suggestion = services.municipality.suggester.suggest(text)
    assert suggestion.theme and not suggestion.sure  # the case this test is about
    first = services.municipality.themes[suggestion.theme].label.nl
    second = services.municipality.themes[suggestion.alternatives[0]].label.nl

    await resident.says(text)
    question = await resident.expect(f"Gaat uw melding over {first} of over {second}?")
    assert [label for label, _ in question.buttons()] == [first, second, "Iets anders"]
    await resident.taps(second, question)
    await resident.expect("Waar is het?")  # the description was already given

    await resident.says("/annuleren")
    await resident.expect("Uw melding is gestopt")
    await resident.says(text)
    again = await resident.expect(f"Gaat uw melding over {first} of over {second}?")
    await resident.taps("Iets anders", again)
    listing = await resident.expect("Waar gaat uw melding over?")
    assert len(listing.buttons()) == len(services.municipality.themes) + 1  # and "Annuleren"


async def test_a_greeting_is_not_taken_as_the_description(bot, resident: SimUser, services) -> None:
    """ "hallo" names no problem: the bot asks what it is about and later for a description,
    instead of suggesting a theme for "hallo" and filing it as what is wrong."""
    assert services.municipality.suggester.suggest("hallo").no_problem
    await resident.says("hallo")
    await resident.expect("Wilt u iets melden? Kies hieronder waar het over gaat")
    await resident.expect("Waar gaat uw melding over?")
    await resident.says("dag")
    await resident.expect("Kies een van de knoppen hierboven")
    await resident.taps("Afval")
    await resident.expect("Vertel in een paar zinnen")
    await resident.says("Matras naast de container")
    await resident.expect("Waar is het?")
    await resident.says("Rijnstraat 12")
    await resident.expect("Wilt u er een foto bij sturen?")
    await resident.says("hallo")  # typed where a button is asked, then "start again"
    await resident.taps("Opnieuw beginnen", await resident.expect("U was bezig met een melding"))
    await resident.expect("Wilt u iets melden? Kies hieronder waar het over gaat")
    await resident.taps("Afval", await resident.expect("Waar gaat uw melding over?"))
    await resident.expect("Vertel in een paar zinnen")
    await resident.says("/annuleren")
    await resident.expect("Uw melding is gestopt")
    await resident.says("👍")  # no word at all: a question, not "too short"
    await resident.expect("Wilt u iets melden? Kies hieronder waar het over gaat")
