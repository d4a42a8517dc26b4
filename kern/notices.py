"""Notices: the messages a change causes, as values; queued in the outbox in one place.

Use cases return notices and never talk to a chat client. `queue_notices` renders each one in
its recipient's language and writes it to the outbox in the caller's transaction, so a change
and the messages it causes are stored together or not at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from kern.buttons import SignalButton, encode
from kern.services import Services
from kern.texts import say_date, say_time
from opslag import contacten, meldingen, outbox
from opslag.tabellen import SignalRow
from signalen.model import Place
from signalen.workflow import CLOSED_STATUSES, Status

log = logging.getLogger(__name__)

Values = Callable[[str], dict[str, Any]]  # the template's values in a language


@dataclass(frozen=True, slots=True)
class ToContact:
    contact_id: str


@dataclass(frozen=True, slots=True)
class ToReporter:
    signal_id: int


@dataclass(frozen=True, slots=True)
class ToChat:
    chat_id: int
    language: str


Recipient = ToContact | ToReporter | ToChat


@dataclass(frozen=True, slots=True)
class Choice:
    """A button: the label's name in knoppen.j2 (or a literal text) and what it does."""

    label: str
    data: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to one recipient, rendered from a template in their language."""

    key: str  # unique per cause: the same notice is never queued twice
    to: Recipient
    template: str
    values: Values = field(default=lambda taal: {})
    choices: tuple[tuple[Choice, ...], ...] = ()
    signal_id: int | None = None  # set when the choices act on this signal (a card)


@dataclass(frozen=True, slots=True)
class OwnerCard:
    """The whole signal for someone who acts on it: text, buttons, photos, pin and map link."""

    key: str
    to: Recipient
    signal: SignalRow
    headline: str = "kaart"  # nieuw, doorgestuurd, heropend, geescaleerd, kaart


@dataclass(frozen=True, slots=True)
class RetractCards:
    """Take the buttons off every earlier card of a signal that has moved on."""

    key: str
    signal_id: int
    keep: tuple[int, int] | None = None  # (chat, message) of a card being edited right now


AnyNotice = Notice | OwnerCard | RetractCards


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


def say_term(signal: SignalRow, taal: str) -> str:
    """When it is due: a date, with the time of day when the term is in hours."""
    return (say_time if signal.deadline_hours else say_date)(signal.deadline, taal)


def theme_label(services: Services, theme: str | None, taal: str) -> str:
    if theme is None:
        return "?"
    return services.municipality.themes[theme].label.get(taal)


def owner_phrase(services: Services, contact_id: str, neighbourhood: str | None, taal: str) -> str:
    """Say who owns a signal in plain words, with the organisation a resident knows:
    "de wijkagent voor Sluiswijk (Politie Oost-Nederland)"."""
    municipality = services.municipality
    contact = municipality.contacts[contact_id]
    place = municipality.neighbourhoods[neighbourhood].name if neighbourhood else municipality.name
    return services.texts.plain(
        "knoppen.eigenaar",
        taal,
        rol=municipality.role_label(contact.role, taal),
        plek=place,
        organisatie=contact.organisation or "",
    )


def signal_owner_phrase(services: Services, signal: SignalRow, taal: str) -> str:
    return owner_phrase(services, signal.contact_id, signal.neighbourhood, taal)


def owner_choices(signal: SignalRow) -> tuple[tuple[Choice, ...], ...]:
    """The actions open to the owner now, bound to the signal's version."""
    if Status(signal.status) in CLOSED_STATUSES:
        return ()

    def choice(label: str, action: str) -> Choice:
        assert signal.id is not None
        return Choice(label, encode(SignalButton(signal.id, signal.version, action)))

    first = () if signal.status == Status.IN_BEHANDELING else (choice("oppakken", "ok"),)
    return (
        (*first, choice("afgerond", "done")),
        (choice("doorsturen", "fwd"), choice("niet_voor_mij", "nm")),
    )


def card_text(services: Services, signal: SignalRow, taal: str, headline: str = "kaart") -> str:
    """The signal as its owner sees it: every detail, why it is theirs, where on the map."""
    texts = services.texts
    if signal.reporter_anonymous:
        reporter: str = texts.label("anoniem_kort", taal)
    else:
        name = escape(signal.reporter_name or "Telegram")
        if signal.reporter_telegram_id:  # a tap opens the chat with the reporter
            name = Markup(f'<a href="tg://user?id={signal.reporter_telegram_id}">{name}</a>')
        reporter = Markup(", ").join(p for p in (name, signal.reporter_contact) if p)
    located = signal.lat is not None and signal.lon is not None
    card = {
        "kop": headline,
        "referentie": signal.reference,
        "thema": theme_label(services, signal.theme, taal),
        "beschrijving": signal.description or "–",
        "plek": place_of(signal, services),
        "kaart": _map_link(signal.lat, signal.lon) if located else None,
        "urgentie": texts("knoppen.urgentie", taal, waarde=signal.urgency),
        "termijn": say_term(signal, taal),
        "melder": reporter,
        "waarom": why_yours(services, signal, taal),
        "status": texts("knoppen.status", taal, waarde=signal.status),
    }
    return texts("behandelaar.melding", taal, m=card)


def why_yours(services: Services, signal: SignalRow, taal: str) -> str:
    """Why the current owner has this signal, in words (rule, handover reason, diversion)."""
    try:
        why = json.loads(signal.assignment_note) if signal.assignment_note else {}
    except ValueError:
        why = {}
    contacts = services.municipality.contacts
    names = {k: contacts[v].name for k, v in why.items() if k in ("by", "from") and v in contacts}
    return services.texts(
        "behandelaar.waarom",
        taal,
        soort=why.get("kind", "rule"),
        regel=signal.rule_id,
        eigenaar=signal_owner_phrase(services, signal, taal),
        door=names.get("by", ""),
        reden=why.get("reason", ""),
        eerst=names.get("from", ""),
    )


def assignment(kind: str, **facts: str | None) -> str:
    """Store why a signal is with its owner (read back by `why_yours`)."""
    return json.dumps({"kind": kind, **{k: v for k, v in facts.items() if v}})[:600]


async def queue_notices(
    session: AsyncSession, services: Services, notices: Sequence[AnyNotice]
) -> int:
    """Render and queue every notice in this transaction; returns how many messages."""
    queued = 0
    for notice in notices:
        if isinstance(notice, RetractCards):
            queued += await _retract(session, services, notice)
            continue
        target = await _resolve(session, notice.to)
        if target is None:
            log.info("notice %s: recipient has no Telegram chat; not queued", notice.key)
            continue
        chat_id, taal = target
        if isinstance(notice, OwnerCard):
            queued += await _queue_card(session, services, notice, chat_id, taal)
            continue
        text = services.texts(notice.template, taal, **notice.values(taal))
        await _enqueue_text(
            session, services, notice.key, chat_id, text, notice.choices, taal, notice.signal_id
        )
        queued += 1
    return queued


async def _resolve(session: AsyncSession, to: Recipient) -> tuple[int, str] | None:
    if isinstance(to, ToChat):
        return to.chat_id, to.language
    if isinstance(to, ToContact):
        registration = await contacten.registration(session, contact_id=to.contact_id)
        return (registration.chat_id, registration.language) if registration else None
    signal = await meldingen.get_signal(session, signal_id=to.signal_id)
    if signal is None or signal.reporter_telegram_id is None:
        return None
    return signal.reporter_telegram_id, signal.reporter_language


async def _enqueue_text(
    session: AsyncSession,
    services: Services,
    key: str,
    chat_id: int,
    text: str,
    choices: tuple[tuple[Choice, ...], ...],
    taal: str,
    signal_id: int | None,
) -> None:
    payload: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if choices:
        payload["buttons"] = [
            [
                {
                    "text": c.label if c.literal else services.texts.label(c.label, taal),
                    "data": c.data,
                }
                for c in row
            ]
            for row in choices
        ]
    await outbox.enqueue(
        session,
        dedupe_key=key,
        chat_id=chat_id,
        payload=payload,
        at=services.clock(),
        signal_id=signal_id if choices else None,
    )


async def _queue_card(
    session: AsyncSession, services: Services, card: OwnerCard, chat_id: int, taal: str
) -> int:
    signal = card.signal
    assert signal.id is not None
    now = services.clock()
    text = card_text(services, signal, taal, card.headline)
    choices = owner_choices(signal)
    await _enqueue_text(session, services, card.key, chat_id, text, choices, taal, signal.id)
    queued = 1
    for n, file_id in enumerate(await meldingen.photos(session, signal_id=signal.id)):
        is_document = file_id.startswith("doc:")
        method, field_name = ("sendDocument", "document") if is_document else ("sendPhoto", "photo")
        await outbox.enqueue(
            session,
            dedupe_key=f"{card.key}:photo{n}",
            chat_id=chat_id,
            at=now,
            method=method,
            payload={field_name: file_id.removeprefix("doc:"), "caption": signal.reference},
        )
        queued += 1
    if signal.lat is not None and signal.lon is not None:
        await outbox.enqueue(
            session,
            dedupe_key=f"{card.key}:pin",
            chat_id=chat_id,
            at=now,
            method="sendLocation",
            payload={"latitude": signal.lat, "longitude": signal.lon},
        )
        queued += 1
    return queued


async def _retract(session: AsyncSession, services: Services, notice: RetractCards) -> int:
    queued = 0
    for card in await outbox.cards_of_signal(session, signal_id=notice.signal_id):
        if (card.chat_id, card.message_id) == notice.keep:
            continue
        await outbox.enqueue(
            session,
            dedupe_key=f"{notice.key}:retract{card.id}",
            chat_id=card.chat_id,
            at=services.clock(),
            method="editMessageReplyMarkup",
            payload={"message_id": card.message_id},
        )
        queued += 1
    return queued


def _map_link(lat: float | None, lon: float | None) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
    )
