"""The report conversation: theme, description, place, photos, urgency, contact, summary.

The draft lives in the database (one per chat), so a restart or another worker continues it.
Each step is a field of the draft; the next question is the first field still missing.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.chat.turn import Turn
from kern.notices import theme_label
from opslag import concepten
from signalen.model import Place, ReporterRole, Urgency

STEPS = ("theme", "description", "place", "photos", "urgency", "contact", "summary")
MAX_DESCRIPTION, MAX_PHOTOS = 1000, 5
_ADDRESS = re.compile(r"^(?P<street>.*?\D)\s*(?P<number>\d+\s*[a-zA-Z]?(?:\s*-\s*\d+)?)?$")


# The draft key that holds each step's answer.
ANSWERED = {
    "theme": "theme",
    "description": "description",
    "place": "place",
    "photos": "photos_done",
    "urgency": "urgency",
    "contact": "contact",
}


def _done(data: dict[str, Any], step: str) -> bool:
    return data.get(ANSWERED[step]) not in (None, False)


def next_step(data: dict[str, Any]) -> str:
    """Return the first step whose answer is missing; everything answered means the summary."""
    return next(s for s in STEPS if s == "summary" or not _done(data, s))


async def start(
    turn: Turn,
    *,
    role: ReporterRole,
    text: str | None = None,
    neighbourhood: str | None = None,
    **preset: Any,
) -> None:
    """Open a new draft (from /melden, /signaleren or free text) and ask the first question."""
    data: dict[str, Any] = {"role": role.value, "photos": [], **preset}
    if neighbourhood:
        data["start_neighbourhood"] = neighbourhood  # from a deep link; used when place unknown
    if text:
        data["description"] = text[:MAX_DESCRIPTION]
        suggestion = turn.services.municipality.suggester.suggest(text)
        if suggestion.theme:
            data["suggested"] = suggestion.theme
    await ask(turn, data)


async def ask(turn: Turn, data: dict[str, Any]) -> None:
    """Save the draft and put the question for its next step."""
    step = next_step(data)
    await concepten.save_draft(
        turn.session, chat_id=turn.chat_id, user_id=turn.user.id, step=step, data=data, at=turn.now
    )
    if step == "theme" and data.get("suggested"):
        label = theme_label(turn.services, data["suggested"], turn.taal)
        turn.say(
            turn.t("melden.stel_thema_voor", thema=label),
            _inline(turn, [[("ja", "d:sug:yes"), ("ander_onderwerp", "d:sug:no")]]),
        )
    elif step == "theme":
        themes = list(turn.services.municipality.themes)
        buttons = [
            InlineKeyboardButton(
                theme_label(turn.services, t, turn.taal), callback_data=f"d:theme:{n}"
            )
            for n, t in enumerate(themes)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([InlineKeyboardButton(turn.label("annuleren"), callback_data="d:sum:cancel")])
        turn.say(turn.t("melden.vraag_thema"), InlineKeyboardMarkup(rows))
    elif step == "description":
        turn.say(
            turn.t(
                "melden.vraag_beschrijving",
                thema=theme_label(turn.services, data["theme"], turn.taal),
            )
        )
    elif step == "place":
        keyboard = ReplyKeyboardMarkup(
            [
                [KeyboardButton(turn.label("locatie"), request_location=True)],
                [KeyboardButton(turn.label("weet_niet"))],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        turn.say(turn.t("melden.vraag_plek"), keyboard)
    elif step == "photos":
        turn.say(turn.t("melden.vraag_fotos"), _inline(turn, [[("geen_foto", "d:photo:done")]]))
    elif step == "urgency":
        turn.say(
            turn.t("melden.vraag_urgentie"),
            _inline(turn, [[(u.value, f"d:urg:{u.value}") for u in Urgency]]),
        )
    elif step == "contact":
        turn.say(
            turn.t("melden.vraag_contact"),
            _inline(turn, [[("anoniem", "d:contact:anon"), ("met_naam", "d:contact:name")]]),
        )
    else:
        turn.say(
            summary(turn, data),
            _inline(
                turn,
                [
                    [("versturen", "d:sum:send")],
                    [("wijzigen", "d:sum:edit"), ("annuleren", "d:sum:cancel")],
                ],
            ),
        )


def summary(turn: Turn, data: dict[str, Any]) -> str:
    if data.get("anonymous", True):
        contact = turn.label("anoniem_kort")
    else:
        contact = ", ".join(p for p in (data.get("name"), data.get("contact_detail")) if p)
    return turn.t(
        "melden.samenvatting",
        thema=theme_label(turn.services, data.get("theme"), turn.taal),
        beschrijving=data.get("description", ""),
        plek=_place_text(turn, data),
        fotos=len(data.get("photos", [])),
        urgentie=turn.label(data.get("urgency", "normaal")),
        contact=contact,
    )


async def on_text(turn: Turn, data: dict[str, Any], step: str, text: str) -> None:
    """Take typed text as the answer to the current step."""
    if step == "description":
        if len(text) > MAX_DESCRIPTION:
            turn.say(turn.t("melden.beschrijving_te_lang", max=MAX_DESCRIPTION))
            return
        if len(text.strip()) < 3:
            turn.say(turn.t("melden.beschrijving_te_kort"))
            return
        data["description"] = text.strip()
        await ask(turn, data)
    elif step == "place":
        await _typed_place(turn, data, text.strip())
    elif step == "contact":
        data.update(
            anonymous=False,
            name=turn.user.full_name,
            contact_detail=text.strip()[:200],
            contact=True,
        )
        await ask(turn, data)
    else:
        turn.say(turn.t("melden.kies_knop"))


async def _typed_place(turn: Turn, data: dict[str, Any], text: str) -> None:
    if text == turn.label("weet_niet"):
        await _place_chosen(turn, data, {})
        return
    municipality = turn.services.municipality
    match = _ADDRESS.match(text)
    street, number = (
        (match.group("street").strip(), match.group("number")) if match else (text, None)
    )
    found = municipality.resolve_place(street=street, house_number=number)
    if found.neighbourhood is None:
        found = municipality.resolve_place(neighbourhood=text)
    if found.neighbourhood is not None:
        await _place_chosen(
            turn,
            data,
            {"street": found.street, "house_number": number, "neighbourhood": found.neighbourhood},
        )
        return
    suggestions = municipality.gazetteer.suggest_streets(street) if municipality.gazetteer else []
    data["suggestions"] = suggestions
    data["typed_number"] = number
    await concepten.save_draft(
        turn.session,
        chat_id=turn.chat_id,
        user_id=turn.user.id,
        step="place",
        data=data,
        at=turn.now,
    )
    rows = [
        [InlineKeyboardButton(s, callback_data=f"d:street:{n}")] for n, s in enumerate(suggestions)
    ]
    rows.append([InlineKeyboardButton(turn.label("weet_niet"), callback_data="d:place:unknown")])
    turn.say(
        turn.t(
            "melden.straat_onbekend",
            straat=street,
            gemeente=municipality.name,
            suggesties=bool(suggestions),
        ),
        InlineKeyboardMarkup(rows),
    )


async def on_location(turn: Turn, data: dict[str, Any], lat: float, lon: float) -> None:
    found = turn.services.municipality.resolve_place(lat=lat, lon=lon)
    if found.neighbourhood is None:
        turn.say(turn.t("melden.plek_buiten", gemeente=turn.services.municipality.name))
        return
    await _place_chosen(turn, data, {"lat": lat, "lon": lon, "neighbourhood": found.neighbourhood})


async def _place_chosen(turn: Turn, data: dict[str, Any], place: dict[str, Any]) -> None:
    for key in (
        "street",
        "house_number",
        "neighbourhood",
        "lat",
        "lon",
        "suggestions",
        "typed_number",
    ):
        data.pop(key, None)
    if place.get("neighbourhood") is None and data.get("start_neighbourhood"):
        place["neighbourhood"] = data["start_neighbourhood"]
    data.update(place, place=True)
    turn.say(turn.t("melden.plek_bevestigd", plek=_place_text(turn, data)), ReplyKeyboardRemove())
    await ask(turn, data)


async def on_photo(turn: Turn, data: dict[str, Any], file_id: str) -> None:
    photos = data.setdefault("photos", [])
    if len(photos) >= MAX_PHOTOS:
        turn.say(
            turn.t("melden.te_veel_fotos", max=MAX_PHOTOS),
            _inline(turn, [[("klaar", "d:photo:done")]]),
        )
        return
    photos.append(file_id)
    if next_step(data) != "photos":
        await ask(turn, data)  # a photo sent early is kept; carry on with the open question
        return
    await concepten.save_draft(
        turn.session,
        chat_id=turn.chat_id,
        user_id=turn.user.id,
        step="photos",
        data=data,
        at=turn.now,
    )
    turn.say(
        turn.t("melden.foto_ontvangen", aantal=len(photos)),
        _inline(turn, [[("klaar", "d:photo:done")]]),
    )


async def on_choice(turn: Turn, data: dict[str, Any], field: str, value: str) -> None:
    """Take a button press on the draft (`d:<field>:<value>`)."""
    municipality = turn.services.municipality
    if field == "sug":
        suggested = data.pop("suggested", None)
        if value == "yes" and suggested:
            data.update(theme=suggested, theme_suggested=True)
    elif field == "theme":
        themes = list(municipality.themes)
        if not value.isdigit() or int(value) >= len(themes):
            turn.answer(turn.t("algemeen.verlopen_knop"))
            return
        data["theme"] = themes[int(value)]
        data.pop("suggested", None)
    elif field == "street":
        suggestions = data.get("suggestions", [])
        if not value.isdigit() or int(value) >= len(suggestions):
            turn.answer(turn.t("algemeen.verlopen_knop"))
            return
        street = suggestions[int(value)]
        number = data.get("typed_number")
        found = municipality.resolve_place(street=street, house_number=number)
        await _place_chosen(
            turn,
            data,
            {"street": street, "house_number": number, "neighbourhood": found.neighbourhood},
        )
        turn.answer()
        return
    elif field == "place":
        await _place_chosen(turn, data, {})
        turn.answer()
        return
    elif field == "photo":
        data["photos_done"] = True
    elif field == "urg" and value in {u.value for u in Urgency}:
        data["urgency"] = value
    elif field == "contact":
        data["contact"] = True
        data["anonymous"] = value == "anon"
        data["name"] = None if value == "anon" else turn.user.full_name
    elif field == "edit" and value in ANSWERED:
        data.pop(ANSWERED[value], None)  # asked again; everything else stays answered
        if value == "photos":
            data["photos"] = []
    turn.answer()
    await ask(turn, data)


def _place_text(turn: Turn, data: dict[str, Any]) -> str:
    neighbourhood = data.get("neighbourhood")
    name = turn.services.municipality.neighbourhoods[neighbourhood].name if neighbourhood else None
    place = Place(
        street=data.get("street"),
        house_number=data.get("house_number"),
        neighbourhood=name,
        lat=data.get("lat"),
        lon=data.get("lon"),
    )
    return place.describe() if place != Place() else turn.label("weet_niet")


def _inline(turn: Turn, rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.label(name), callback_data=data) for name, data in row]
            for row in rows
        ]
    )
