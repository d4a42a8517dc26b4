"""Every sentence users read comes from a Jinja2 template, Dutch (B1) and English side by side."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from signalen.werkdagen import AMSTERDAM

LANGUAGES = ("nl", "en")
_MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
_DAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def language_of(code: str | None) -> str:
    """Pick our language from a Telegram language code: English for "en*", Dutch otherwise."""
    return "en" if (code or "").lower().startswith("en") else "nl"


@functools.cache
def _compiled_templates() -> dict[str, Any]:
    """Compile every template once per process, at start: compiling one on first use takes up
    to 30 ms, and the event loop (every other chat) waits meanwhile."""
    env = Environment(
        loader=PackageLoader("kern", "teksten"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    return {
        name.removesuffix(".j2"): env.get_template(name).module
        for name in env.list_templates(extensions=["j2"])
    }


class Texts:
    """Renders `file.macro` from bot/teksten/*.j2 with HTML autoescaping and strict variables."""

    def __init__(self) -> None:
        self._modules = _compiled_templates()

    def __call__(self, name: str, taal: str, **values: Any) -> str:
        """Render a sentence as Telegram HTML; values are escaped."""
        file, macro = name.split(".")
        return str(getattr(self._modules[file], macro)(taal, **values)).strip()

    def label(self, name: str, taal: str) -> str:
        """Render a button label as plain text (buttons do not take HTML)."""
        return Markup(self("knoppen.knop", taal, naam=name)).unescape()


def say_date(moment: datetime, taal: str, *, with_day: bool = True) -> str:
    """Say a date as people do: "woensdag 25 nov" / "Wednesday 25 Nov"."""
    local = moment.astimezone(AMSTERDAM)
    text = f"{local.day} {_MONTHS[taal][local.month - 1]}"
    return f"{_DAYS[taal][local.weekday()]} {text}" if with_day else text


def say_time(moment: datetime, taal: str) -> str:
    local = moment.astimezone(AMSTERDAM)
    return f"{say_date(local, taal, with_day=False)} {local:%H:%M}"
