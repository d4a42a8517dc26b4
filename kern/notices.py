"""Messages caused by a change, queued in the outbox in the same transaction as the change."""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from kern.services import Services
from kern.texts import say_date
from opslag import contacten, meldingen, outbox
from opslag.tabellen import SignalRow
from signalen.model import Place
from signalen.workflow import CLOSED_STATUSES, Status

log = logging.getLogger(__name__)

HEADLINES = {
    "nieuw": ("Nieuwe melding", "New report"),
    "doorgestuurd": ("Doorgestuurde melding", "Handed-over report"),
    "heropend": ("Heropende melding", "Reopened report"),
    "kaart": ("Melding", "Report"),
}


def place_of(signal: SignalRow, services: Services) -> str:
    """Say where a signal is, with the neighbourhood's name."""
    neighbourhoods = services.municipality.neighbourhoods
    name = neighbourhoods[signal.neighbourhood].name if signal.neighbourhood else None
    return Place(
        street=signal.street,
        house_number=signal.house_number,
        neighbourhood=name,
        lat=signal.lat,
        lon=signal.lon,
    ).describe()


def theme_label(services: Services, theme: str | None, taal: str) -> str:
    if theme is None:
        return "?"
    label = services.municipality.themes[theme].label
    return label.en if taal == "en" else label.nl


def owner_phrase(services: Services, signal: SignalRow, taal: str) -> str:
    """Say who owns a signal in plain words: "de wijkagent van Sluiswijk"."""
    municipality = services.municipality
    contact = municipality.contacts[signal.contact_id]
    place = (
        municipality.neighbourhoods[signal.neighbourhood].name
        if signal.neighbourhood
        else municipality.name
    )
    return services.texts("knoppen.eigenaar", taal, rol=contact.role.value, plek=place)


def owner_card(
    services: Services,
    signal: SignalRow,
    taal: str,
    *,
    headline: str = "kaart",
    handed_over: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The signal as its owner sees it (all details), with the actions open to them now."""
    texts = services.texts
    if signal.reporter_anonymous:
        reporter: str = "anoniem" if taal == "nl" else "anonymous"
    else:
        name = escape(signal.reporter_name or "Telegram")
        if signal.reporter_telegram_id:  # a tap opens the chat with the reporter
            name = Markup(f'<a href="tg://user?id={signal.reporter_telegram_id}">{name}</a>')
        reporter = Markup(", ").join(p for p in (name, signal.reporter_contact) if p)
    neighbourhood = signal.neighbourhood or "?"
    card = {
        "kop_nl": HEADLINES[headline][0],
        "kop_en": HEADLINES[headline][1],
        "referentie": signal.reference,
        "thema": theme_label(services, signal.theme, taal),
        "doorgestuurd": handed_over,
        "beschrijving": signal.description or "–",
        "plek": place_of(signal, services),
        "urgentie": texts("knoppen.urgentie", taal, waarde=signal.urgency),
        "termijn": say_date(signal.deadline, taal),
        "melder": reporter or ("anoniem" if taal == "nl" else "anonymous"),
        "waarom": f"{signal.rule_id} ({signal.theme or '?'} · {neighbourhood})",
        "status": texts("knoppen.status", taal, waarde=signal.status),
    }
    return texts("behandelaar.melding", taal, m=card), owner_buttons(services, signal, taal)


def owner_buttons(services: Services, signal: SignalRow, taal: str) -> InlineKeyboardMarkup | None:
    if Status(signal.status) in CLOSED_STATUSES:
        return None
    label = services.texts.label
    first = [] if signal.status == Status.IN_BEHANDELING else [("oppakken", "ok")]
    rows = [[*first, ("afgerond", "done")], [("doorsturen", "fwd"), ("niet_voor_mij", "nm")]]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label(name, taal), callback_data=f"s:{signal.id}:{action}")
                for name, action in row
            ]
            for row in rows
        ]
    )


async def notify_owner(
    session: AsyncSession,
    services: Services,
    signal: SignalRow,
    *,
    key: str,
    headline: str,
    handed_over: str | None = None,
) -> None:
    """Queue the signal card (and its photos and pin) to the owner's Telegram chat."""
    registration = await contacten.registration(session, contact_id=signal.contact_id)
    if registration is None:
        log.warning(
            "contact %s has no Telegram account linked; signal %s waits in /taken",
            signal.contact_id,
            signal.id,
        )
        return
    taal = registration.language
    text, markup = owner_card(services, signal, taal, headline=headline, handed_over=handed_over)
    chat, now = registration.chat_id, services.clock()
    payload: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    await outbox.enqueue(session, dedupe_key=f"{key}:owner", chat_id=chat, payload=payload, at=now)
    for n, file_id in enumerate(await meldingen.photos(session, signal_id=signal.id or 0)):
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:photo{n}",
            chat_id=chat,
            at=now,
            method="sendPhoto",
            payload={"photo": file_id, "caption": signal.reference},
        )
    if signal.lat is not None and signal.lon is not None:
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:pin",
            chat_id=chat,
            at=now,
            method="sendLocation",
            payload={"latitude": signal.lat, "longitude": signal.lon},
        )


async def tell_reporter(
    session: AsyncSession,
    services: Services,
    signal: SignalRow,
    *,
    key: str,
    template: str,
    buttons: list[tuple[str, str]] | None = None,
    **values: Any,
) -> None:
    """Queue a message to the reporter in their language; buttons are (label, action)."""
    if signal.reporter_telegram_id is None:
        return
    taal = signal.reporter_language
    payload: dict[str, Any] = {
        "text": services.texts(template, taal, referentie=signal.reference, **values),
        "parse_mode": "HTML",
    }
    if buttons:
        payload["reply_markup"] = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        services.texts.label(name, taal), callback_data=f"s:{signal.id}:{action}"
                    )
                    for name, action in buttons
                ]
            ]
        ).to_dict()
    await outbox.enqueue(
        session,
        dedupe_key=f"{key}:reporter",
        chat_id=signal.reporter_telegram_id,
        payload=payload,
        at=services.clock(),
    )
