"""Every sentence users read comes from a Jinja2 template; its words from a gettext catalogue.

The templates in `kern/teksten/*.j2` are written in Dutch (B1): each sentence is a
`{% trans %}` block whose Dutch text is the message id. English, Turkish and Arabic live in
`kern/teksten/locale/<taal>/LC_MESSAGES/wijksignaal.po`, read with Babel, plural rules
included. `make catalogues` extracts new sentences into the catalogues; a test fails while a
sentence lacks a translation or a translation lacks a placeholder.

Each language gets its own Jinja2 environment, compiled once per process. In Arabic every
value put into a sentence (a street, a name, a reference) is wrapped in Unicode isolates
(FSI … PDI), so "WS-2026-000123" or "Rijnstraat 12" reads left to right inside a
right-to-left sentence.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from datetime import datetime
from importlib import resources
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from signalen.werkdagen import AMSTERDAM

LANGUAGES = ("nl", "en", "tr", "ar")
"""Dutch first: the municipality's own language, and what an unknown language gets."""

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية"}
DOMAIN = "wijksignaal"
_FSI, _PDI = "\u2068", "\u2069"


def language_of(code: str | None) -> str:
    """Pick our language from a Telegram language code ("tr", "ar-EG", "en-GB"): Dutch for
    anything we do not speak."""
    prefix = (code or "").lower().split("-")[0].split("_")[0]
    return prefix if prefix in LANGUAGES else "nl"


def catalogue_path(taal: str) -> Any:
    return resources.files("kern") / "teksten" / "locale" / taal / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(taal: str) -> NullTranslations:
    """The language's catalogue, compiled in memory (no .mo files to build or ship). Dutch is
    the source language: its "translation" is the message id itself."""
    if taal == "nl":
        return NullTranslations()
    with catalogue_path(taal).open("rb") as source:
        catalogue = read_po(source, locale=taal, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _isolated(value: Any) -> Markup:
    """A value that keeps its own direction inside a right-to-left sentence (escaped)."""
    return Markup(_FSI) + escape(value) + Markup(_PDI)


def _filled(isolate: bool) -> Callable[[str, Mapping[str, Any]], Markup]:
    def fill(sentence: str, values: Mapping[str, Any]) -> Markup:
        if isolate:
            values = {k: _isolated(v) if isinstance(v, str) else v for k, v in values.items()}
        # The sentence comes from our own catalogue (trusted HTML such as <b>); the values
        # are escaped by Markup's % operator.
        return Markup(sentence) % values

    return fill


def _environment(taal: str) -> Environment:
    env = Environment(
        loader=PackageLoader("kern", "teksten"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    catalogue = translations(taal)
    fill = _filled(isolate=taal == "ar")

    # Jinja2's own "newstyle" gettext, with the values isolated in Arabic.
    @pass_context
    def gettext(_context: Context, message: str, **values: Any) -> Markup:
        return fill(catalogue.gettext(message), values)

    @pass_context
    def ngettext(_context: Context, singular: str, plural: str, n: int, **values: Any) -> Markup:
        values.setdefault("num", n)
        return fill(catalogue.ngettext(singular, plural, n), values)

    env.newstyle_gettext = True  # type: ignore[attr-defined]
    # Lines built outside a sentence (a list of reports) start with a right-to-left mark in
    # Arabic, and their values are isolated like those inside sentences.
    rtl = taal == "ar"
    env.globals.update(
        gettext=gettext, ngettext=ngettext, taal=taal, rlm=Markup("\u200f") if rtl else ""
    )
    env.filters["iso"] = _isolated if rtl else escape
    env.filters["hoofdletter"] = lambda text: text[:1].upper() + text[1:]
    return env


@functools.cache
def _compiled_templates(taal: str) -> dict[str, Any]:
    """Compile every template once per process and language, at start: compiling one on first
    use takes up to 30 ms, and the event loop (every other chat) waits meanwhile."""
    env = _environment(taal)
    return {
        name.removesuffix(".j2"): env.get_template(name).module
        for name in env.list_templates(extensions=["j2"])
    }


class Texts:
    """Renders `file.macro` from kern/teksten/*.j2 in a language, as Telegram HTML."""

    def __init__(self) -> None:
        self._modules = {taal: _compiled_templates(taal) for taal in LANGUAGES}

    def __call__(self, name: str, taal: str, **values: Any) -> str:
        """Render a sentence as Telegram HTML; values are escaped."""
        file, name = name.split(".")
        macro = getattr(self._modules[taal if taal in self._modules else "nl"][file], name)
        if "taal" in macro.arguments:
            values["taal"] = taal
        return str(macro(**values)).strip()

    def plain(self, name: str, taal: str, **values: Any) -> str:
        """Render as plain text: for buttons, charts, files, and a phrase that goes into
        another sentence (which escapes it there)."""
        return str(Markup(self(name, taal, **values)).unescape())

    def label(self, name: str, taal: str) -> str:
        """Render a button label as plain text (buttons do not take HTML)."""
        return self.plain("knoppen.knop", taal, naam=name)


_WEEKDAY_LAST = {"tr"}  # "25 Kasım Çarşamba"; the others say the weekday first


def say_date(moment: datetime, taal: str, *, with_day: bool = True) -> str:
    """Say a date as people do: "woensdag 25 november", "Wednesday 25 November",
    "25 Kasım Çarşamba", "الأربعاء 25 نوفمبر"."""
    local = moment.astimezone(AMSTERDAM)
    pattern = "d MMMM"
    if with_day:
        pattern = f"{pattern} EEEE" if taal in _WEEKDAY_LAST else f"EEEE {pattern}"
    return format_date(local.date(), pattern, locale=taal if taal in LANGUAGES else "nl")


def say_time(moment: datetime, taal: str) -> str:
    local = moment.astimezone(AMSTERDAM)
    return f"{say_date(local, taal, with_day=False)} {local:%H:%M}"
