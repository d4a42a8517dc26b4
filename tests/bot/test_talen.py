"""Residents who read Turkish or Arabic better than Dutch: end to end through the simulator.

What they should read is rendered from the same catalogues the bot uses, so these tests pin
that every step reaches them in their language (and not Dutch), not the exact wording."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from bot.chat.app import COMMANDS
from bot.simulator.people import SimUser
from kern.texts import LANGUAGES, say_date
from tests.conftest import local

_TAG = re.compile(r"<[^>]+>")


def plain(rendered: str) -> str:
    """What a person sees of a rendered HTML sentence."""
    return html.unescape(_TAG.sub("", rendered))


def first_strong_direction(text: str) -> str:
    """ "R" when the first letter with a direction is right-to-left (Arabic), "L" otherwise."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "?"


REPORTS = {
    "tr": ("Ayşe", "Konteynerin yanına yine çöp poşetleri bırakılmış"),
    "ar": ("Amal", "أكياس القمامة مرمية بجانب الحاوية مرة أخرى"),
}


@pytest.mark.parametrize("taal", ["tr", "ar"])
async def test_resident_reports_and_hears_every_step_in_their_language(
    bot, sim, link_contact, services, taal: str
) -> None:
    texts = services.texts

    def says(name: str, **values: object) -> str:
        return plain(texts(name, taal, **values))

    def label(name: str) -> str:
        return texts.label(name, taal)

    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    name, report = REPORTS[taal]
    user = SimUser(sim, 1101, name, language_code=taal)

    await user.says("/start")
    welcome = await user.expect(
        says("algemeen.welkom", naam=name, gemeente="Deventer", buurt="")[:40]
    )
    assert "/taal" in welcome.body and "112" in welcome.body

    await user.says(report)
    afval = services.municipality.themes["afval"].label.get(taal)
    question = await user.expect(says("melden.stel_thema_voor", thema=afval))
    assert [text for text, _ in question.buttons()][:2] == [label("ja"), label("ander_onderwerp")]
    await user.taps(label("ja"))
    place = await user.expect(says("melden.vraag_plek", voorbeeld="X")[:20])
    assert place.keyboard() == [label("locatie"), label("weet_niet")]
    await user.says("Rijnstraat 12")
    await user.expect(says("melden.vraag_fotos"))
    await user.taps(label("geen_foto"))
    await user.expect(says("melden.vraag_urgentie"))
    await user.taps(label("normaal"))
    await user.expect(says("melden.vraag_contact"))
    await user.taps(label("anoniem"))
    summary = await user.expect(label("fotos"))
    assert report in summary.body and afval in summary.body
    await user.taps(label("versturen"))

    owner_phrase = texts(
        "knoppen.eigenaar",
        taal,
        rol=services.municipality.role_label("wijkbeheerder", taal),
        plek="Deltabuurt",
        organisatie="Gemeente Deventer, Wijkbeheer",
    )
    due = say_date(local(2026, 11, 25, 17), taal)
    receipt = await user.expect(
        says("melden.ontvangen", referentie="WS-2026-000001", eigenaar=owner_phrase, datum=due)
    )
    assert due in receipt.body

    # The owner reads Dutch; the resident hears each step in their own language.
    card = await owner.expect("Nieuwe melding WS-2026-000001")
    assert report in card.body
    await owner.taps("Oppakken", card)
    await user.expect(
        says("terugkoppeling.opgepakt", referentie="WS-2026-000001", eigenaar=owner_phrase)
    )
    await owner.taps("Afgerond", card)
    await owner.expect("Wat is er gedaan")
    await owner.says("Zakken opgehaald")
    done = await user.expect(
        says(
            "terugkoppeling.afgehandeld",
            referentie="WS-2026-000001",
            toelichting="Zakken opgehaald",
        )
    )
    assert [text for text, _ in done.buttons()] == [label("opgelost_ja"), label("opgelost_nee")]

    for message in user.inbox():
        words = re.sub(r"/\w+", "", message.body).lower()  # commands stay as they are
        assert "melding" not in words and "klopt dit" not in words, message.body
        if taal == "ar":
            assert first_strong_direction(message.body) == "R", message.body
    if taal == "ar":
        # The reference keeps reading left to right inside the Arabic sentence.
        assert "\u2068WS-2026-000001\u2069" in receipt.body


async def test_taal_offers_four_languages_and_the_choice_is_remembered(bot, sim, services) -> None:
    texts = services.texts
    user = SimUser(sim, 1102, "Emre", language_code="tr")
    await user.says("/taal")
    offer = await user.expect(plain(texts("algemeen.kies_taal", "tr")))
    assert [text for text, _ in offer.buttons()] == ["Nederlands", "English", "Türkçe", "العربية"]

    await user.taps("العربية", offer)
    await user.expect(plain(texts("algemeen.taal_gekozen", "ar")))
    await user.says("/help")
    helped = await user.expect(plain(texts("algemeen.hulp", "ar"))[:20])
    assert first_strong_direction(helped.body) == "R"

    await user.says("/taal")
    await user.taps("Nederlands", await user.expect(plain(texts("algemeen.kies_taal", "ar"))))
    await user.expect("Ik spreek vanaf nu Nederlands met u.")
    await user.says("/help")
    await user.expect("/melden – een melding doen")


async def test_an_unknown_app_language_gets_dutch(bot, sim) -> None:
    user = SimUser(sim, 1103, "Piotr", language_code="pl")
    await user.says("/start")
    await user.expect("Hier meldt u problemen")


async def test_the_command_menu_is_set_in_every_language(bot, sim, services) -> None:
    menus = sim.command_menus
    assert set(menus) == {"", *LANGUAGES}
    assert menus[""] == menus["nl"]
    for taal in LANGUAGES:
        assert [c["command"] for c in menus[taal]] == COMMANDS
        assert [c["description"] for c in menus[taal]] == [
            services.texts("algemeen.commando", taal, naam=c) for c in COMMANDS
        ]
    descriptions = {taal: menus[taal][0]["description"] for taal in LANGUAGES}
    assert len(set(descriptions.values())) == 4, descriptions
