"""Every sentence in every language: the catalogues match the templates, placeholders and
markup survive translation, Arabic reads right to left, and resident Dutch stays at B1."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kern.texts import LANGUAGES, Texts, catalogue_path
from regels.laden import load_municipality

TEKSTEN = Path(__file__).parents[2] / "kern" / "teksten"
TRANSLATED = [taal for taal in LANGUAGES if taal != "nl"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?\w+[^>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z]+")


def extracted() -> set[str | tuple[str, str]]:
    """The message ids in the templates, as `make catalogues` extracts them."""
    found = extract_from_dir(
        str(TEKSTEN),
        method_map=[("*.j2", "jinja2.ext:babel_extract")],
        options_map={"*.j2": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}},
    )
    return {message for _file, _line, message, _comments, _context in found}


def catalogue(taal: str) -> list[Message]:
    with catalogue_path(taal).open("rb") as source:
        return [m for m in read_po(source, locale=taal) if m.id]


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def source(message: Message) -> str:
    """The Dutch text a translation must match: the plural form when there is one."""
    return message.id[1] if isinstance(message.id, tuple) else message.id


def test_the_template_catalogue_is_up_to_date_with_the_templates() -> None:
    with (TEKSTEN / "locale" / "wijksignaal.pot").open("rb") as pot:
        template_ids = {m.id for m in read_po(pot) if m.id}
    assert template_ids == extracted(), "run `make catalogues`"


@pytest.mark.parametrize("taal", TRANSLATED)
def test_every_sentence_is_translated_once_and_checked(taal: str) -> None:
    messages = catalogue(taal)
    ids = [m.id for m in messages]
    assert set(ids) == extracted(), "run `make catalogues` and translate what is new"
    assert len(ids) == len(set(ids))
    with catalogue_path(taal).open("rb") as handle:
        full = read_po(handle, locale=taal)
    problems = [(m.id, errors) for m, errors in full.check() if errors]
    assert problems == []
    for message in messages:
        assert not message.fuzzy, message.id
        texts = forms(message)
        expected = full.num_plurals if isinstance(message.id, tuple) else 1
        assert len(texts) == expected and all(t.strip() for t in texts), message.id


@pytest.mark.parametrize("taal", TRANSLATED)
def test_placeholders_markup_and_commands_survive_translation(taal: str) -> None:
    for message in catalogue(taal):
        dutch = source(message)
        for text in forms(message):
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(dutch)), (dutch, text)
            assert Counter(TAG.findall(text)) == Counter(TAG.findall(dutch)), (dutch, text)
            assert set(COMMAND.findall(text)) == set(COMMAND.findall(dutch)), (dutch, text)
            assert text.count("\n") == dutch.count("\n"), (dutch, text)


def _first_letter_direction(text: str) -> str:
    text = TAG.sub("", PLACEHOLDER.sub("", text))
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL", "L"):
            return "L" if kind == "L" else "R"
    return "none"


def test_arabic_sentences_start_with_arabic_so_telegram_shows_them_right_to_left() -> None:
    for message in catalogue("ar"):
        for text in forms(message):
            for line in text.splitlines():
                assert _first_letter_direction(line) in ("R", "none"), line


def test_arabic_values_are_isolated_so_references_and_streets_stay_readable() -> None:
    texts = Texts()
    rendered = texts("melden.niet_gevonden", "ar", referentie="WS-2026-000123")
    assert "\u2068WS-2026-000123\u2069" in rendered
    assert _first_letter_direction(rendered) == "R"
    # Values are escaped inside the isolates, as everywhere else.
    assert "&lt;b&gt;" in texts("melden.plek_bevestigd", "ar", plek="<b>")
    assert "\u2068" not in texts("melden.niet_gevonden", "tr", referentie="WS-2026-000123")


@pytest.mark.parametrize("taal", LANGUAGES)
def test_plural_sentences_follow_the_language(taal: str) -> None:
    texts = Texts()
    one, two = (texts("melden.foto_ontvangen", taal, aantal=n) for n in (1, 2))
    assert "1" in one and "2" in two
    if taal in ("nl", "en"):
        assert one.replace("1", "2") != two  # "1 foto" / "2 foto's", "1 photo" / "2 photos"


@pytest.mark.parametrize("taal", LANGUAGES)
def test_a_greeting_is_answered_with_the_command_the_person_has(taal: str) -> None:
    texts = Texts()
    resident = texts("melden.geen_probleem_gelezen", taal, professional=False)
    professional = texts("melden.geen_probleem_gelezen", taal, professional=True)
    assert "/mijnmeldingen" in resident and "/taken" not in resident
    assert "/taken" in professional and "/mijnmeldingen" not in professional


# Words a B1 reader stumbles on, or that say half a sentence; residents never read them.
FORBIDDEN = [
    "behandelaar",
    "toegewezen",
    "escalatie",
    "geëscaleerd",
    "hotspot",
    "openbare ruimte",
    "bewonersinitiatief",
    "mediaan",
    "termijn",
    "doorgezet",
    "verwacht uiterlijk",
]
RESIDENT_TEMPLATES = ["algemeen.j2", "melden.j2", "terugkoppeling.j2", "knoppen.j2"]
PROFESSIONAL_ONLY = {"hulp_professional", "onbekend_commando_professional", "commando"}


def _resident_sentences(template: str) -> list[str]:
    """The Dutch text of a template's macros that residents read (tags left out)."""
    text = (TEKSTEN / template).read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    macros = re.findall(r"\{%-? macro (\w+)\(.*?%\}(.*?)\{%-? endmacro -?%\}", text, flags=re.S)
    sentences = [body for name, body in macros if name not in PROFESSIONAL_ONLY]
    sentences += re.findall(r'_\("([^"]+)"\)', text)  # button labels and status words
    return [re.sub(r"\{[{%].*?[}%]\}", " ", s, flags=re.S) for s in sentences]


@pytest.mark.parametrize("template", RESIDENT_TEMPLATES)
def test_resident_dutch_avoids_words_a_b1_reader_stumbles_on(template: str) -> None:
    for sentence in _resident_sentences(template):
        for word in FORBIDDEN:
            assert word not in sentence.lower(), (template, word, sentence.strip())


def test_the_example_themes_use_plain_names_in_every_language() -> None:
    for theme in load_municipality().themes.values():
        for word in FORBIDDEN:
            assert word not in theme.label.nl.lower()
        assert theme.label.tr and theme.label.ar
        assert _first_letter_direction(theme.label.ar) == "R"


def test_the_forbidden_word_check_can_fail() -> None:
    """Professionals may read "termijn"; the check finds it in their template."""
    assert any("termijn" in s for s in _resident_sentences("behandelaar.j2"))
