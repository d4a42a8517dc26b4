"""The report conversation in Telegram: ask the next step of the typed draft, take answers.

A draft in the middle of a report is never thrown away unasked: /melden, /start or typed
text that is no answer asks "continue, or start again?". Buttons carry the draft's id and
only work for the question that is open now.
"""

from __future__ import annotations

from telegram import ReplyKeyboardRemove

from bot.chat.drafts import load, save
from bot.chat.keyboards import inline, share_location
from bot.chat.submission import send
from bot.chat.turn import Turn
from kern.buttons import DraftButton, encode
from kern.draft import (
    FIELDS_OF_STEP,
    MAX_CONTACT_DETAIL,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    TEXT_STEPS,
    Draft,
    Step,
)
from kern.notices import Choice, theme_label
from regels.plaats import MAX_PLACE, split_address
from regels.suggestie import ThemeSuggestion
from signalen.model import ReporterRole, Urgency

EDITABLE = (
    ("onderwerp", Step.THEME),
    ("beschrijving", Step.DESCRIPTION),
    ("plek", Step.PLACE),
    ("fotos", Step.PHOTOS),
    ("urgentie", Step.URGENCY),
    ("contact", Step.CONTACT),
)


def _choice(draft: Draft, label: str, field: str, value: str, literal: bool = False) -> Choice:
    return Choice(label, encode(DraftButton(draft.id, field, value)), literal)


async def begin(
    turn: Turn, role: ReporterRole, *, text: str | None = None, photo: str | None = None
) -> None:
    """Start a report, unless one is half-written: then ask whether to continue it."""
    draft = await load(turn)
    if draft.active and _has_progress(draft):
        draft.interrupted_by = text
        await save(turn, draft)
        await ask_resume(turn, draft)
        return
    draft = draft.fresh(role)
    if photo:
        draft.photos.append(photo)
    if text:
        take_first_words(turn, draft, text)
    await ask(turn, draft)


def take_first_words(turn: Turn, draft: Draft, text: str) -> None:
    """The words that start a report are its description, unless they are a short text that
    names no problem ("hallo", "👍", "is mijn melding al bekeken?"): then the bot asks what
    it is about, and asks for the description once a theme is chosen."""
    suggestion = _suggest(turn, text)
    if suggestion is not None and suggestion.no_problem:
        turn.say(turn.t("melden.geen_probleem_gelezen", professional=turn.contact is not None))
    else:
        take_description(turn, draft, text, suggestion)


def _suggest(turn: Turn, text: str) -> ThemeSuggestion | None:
    """The theme suggestion for words that may become the description; None for words too
    long to be one (they are refused before anything reads them)."""
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        return None
    return turn.services.municipality.suggester.suggest(text)


def _has_progress(draft: Draft) -> bool:
    return bool(
        draft.theme or draft.description or draft.place_known or draft.photos or draft.urgency
    )


async def ask_resume(turn: Turn, draft: Draft) -> None:
    """Offer to continue the half-written report, or to start again."""
    about = theme_label(turn.services, draft.theme, turn.taal) if draft.theme else None
    excerpt = (draft.description or "")[:60]
    turn.say(
        turn.t("melden.verder_of_opnieuw", thema=about, fragment=excerpt),
        inline(
            turn.services.texts,
            turn.taal,
            [
                [
                    _choice(draft, "verder", "resume", "go"),
                    _choice(draft, "opnieuw", "resume", "new"),
                ]
            ],
        ),
    )


def take_description(
    turn: Turn, draft: Draft, text: str, suggestion: ThemeSuggestion | None = None
) -> None:
    """Keep a description and suggest a theme from it (`suggestion`, if the caller already
    read it); too long is refused, never cut."""
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        turn.say(turn.t("melden.beschrijving_te_lang", max=MAX_DESCRIPTION, lengte=len(text)))
        return
    if len(text) < 3:
        turn.say(turn.t("melden.beschrijving_te_kort"))
        return
    draft.description = text
    if draft.theme is None:
        suggestion = suggestion or turn.services.municipality.suggester.suggest(text)
        draft.suggested = suggestion.theme
        unsure = suggestion.theme is not None and not suggestion.sure
        draft.also_suggested = (
            suggestion.alternatives[0] if unsure and suggestion.alternatives else None
        )


async def ask(turn: Turn, draft: Draft) -> None:
    """Save the draft and put the question for its next step."""
    await save(turn, draft)
    step, texts, taal = draft.step, turn.services.texts, turn.taal
    if step is Step.THEME and draft.suggested and draft.also_suggested:
        # Unsure: the two most likely themes first, then everything else.
        first = theme_label(turn.services, draft.suggested, taal)
        second = theme_label(turn.services, draft.also_suggested, taal)
        rows = [
            [_choice(draft, first, "sug", "yes", literal=True)],
            [_choice(draft, second, "sug", "second", literal=True)],
            [_choice(draft, "iets_anders", "sug", "no")],
        ]
        turn.say(turn.t("melden.twee_themas", een=first, twee=second), inline(texts, taal, rows))
    elif step is Step.THEME and draft.suggested:
        label = theme_label(turn.services, draft.suggested, taal)
        rows = [
            [_choice(draft, "ja", "sug", "yes"), _choice(draft, "ander_onderwerp", "sug", "no")]
        ]
        turn.say(turn.t("melden.stel_thema_voor", thema=label), inline(texts, taal, rows))
    elif step is Step.THEME:
        themes = list(turn.services.municipality.themes)
        buttons = [
            _choice(draft, theme_label(turn.services, t, taal), "theme", str(n), literal=True)
            for n, t in enumerate(themes)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([_choice(draft, "annuleren", "sum", "cancel")])
        turn.say(turn.t("melden.vraag_thema"), inline(texts, taal, rows))
    elif step is Step.DESCRIPTION:
        thema = theme_label(turn.services, draft.theme, taal)
        turn.say(turn.t("melden.vraag_beschrijving", thema=thema))
    elif step is Step.PLACE:
        example = turn.services.municipality.example_address
        turn.say(turn.t("melden.vraag_plek", voorbeeld=example), share_location(texts, taal))
    elif step is Step.PHOTOS:
        rows = [[_choice(draft, "geen_foto", "photo", "done")]]
        turn.say(turn.t("melden.vraag_fotos"), inline(texts, taal, rows))
    elif step is Step.URGENCY:
        rows = [[_choice(draft, u.value, "urg", u.value) for u in Urgency]]
        turn.say(turn.t("melden.vraag_urgentie"), inline(texts, taal, rows))
    elif step is Step.CONTACT:
        rows = [
            [
                _choice(draft, "met_naam", "contact", "name"),
                _choice(draft, "anoniem", "contact", "anon"),
            ]
        ]
        turn.say(turn.t("melden.vraag_contact"), inline(texts, taal, rows))
    else:
        rows = [
            [_choice(draft, "versturen", "sum", "send")],
            [
                _choice(draft, "wijzigen", "sum", "edit"),
                _choice(draft, "annuleren", "sum", "cancel"),
            ],
        ]
        turn.say(summary(turn, draft), inline(texts, taal, rows))


def summary(turn: Turn, draft: Draft) -> str:
    if draft.anonymous:
        contact = turn.label("anoniem_kort")
    else:
        contact = ", ".join(p for p in (draft.name, draft.contact_detail) if p)
    return turn.t(
        "melden.samenvatting",
        thema=theme_label(turn.services, draft.theme, turn.taal),
        beschrijving=draft.description or "",
        plek=place_text(turn, draft),
        fotos=len(draft.photos),
        urgentie=turn.label((draft.urgency or Urgency.NORMAAL).value),
        contact=contact,
    )


def place_text(turn: Turn, draft: Draft) -> str:
    municipality = turn.services.municipality
    name = municipality.neighbourhoods[draft.neighbourhood].name if draft.neighbourhood else None
    place = draft.place(name)
    return place.describe() if (name or draft.street or draft.lat) else turn.label("weet_niet")


async def on_text(turn: Turn, draft: Draft, text: str) -> None:
    """Typed text: the answer to a text step, else the start of something new."""
    step = draft.step
    if step not in TEXT_STEPS:
        if _has_progress(draft):
            draft.interrupted_by = text
            await save(turn, draft)
            await ask_resume(turn, draft)
            return
        # A fresh /melden answered with words: use them if they say what it is about. Words
        # too long for a description are refused as one before the suggestion reads them.
        suggestion = _suggest(turn, text) if step is Step.THEME else None
        # At the theme question: words that name a problem, or too long (None: refused).
        if step is Step.THEME and (suggestion is None or suggestion.names_a_problem):
            take_description(turn, draft, text, suggestion)
        else:
            turn.say(turn.t("melden.kies_knop"))
        await ask(turn, draft)
        return
    if step is Step.DESCRIPTION:
        take_description(turn, draft, text)
        if draft.description is not None:
            await ask(turn, draft)
    elif step is Step.PLACE:
        await typed_place(turn, draft, text.strip())
    else:
        if len(text) > MAX_CONTACT_DETAIL:
            turn.say(turn.t("melden.contact_te_lang", max=MAX_CONTACT_DETAIL))
            return
        draft.anonymous, draft.name = False, turn.user.full_name
        draft.contact_detail, draft.contact_chosen = text.strip(), True
        await ask(turn, draft)


async def typed_place(turn: Turn, draft: Draft, text: str) -> None:
    if text == turn.label("weet_niet"):
        await place_chosen(turn, draft)
        return
    if len(text) > MAX_PLACE:
        example = turn.services.municipality.example_address
        turn.say(turn.t("melden.plek_te_lang", max=MAX_PLACE, voorbeeld=example))
        return
    municipality = turn.services.municipality
    street, number = split_address(text)
    found = municipality.resolve_place(street=street, house_number=number)
    if found.neighbourhood is None:
        found = municipality.resolve_place(neighbourhood=text)
    if found.neighbourhood is not None:
        await place_chosen(
            turn, draft, street=found.street, house_number=number, neighbourhood=found.neighbourhood
        )
        return
    suggestions = municipality.gazetteer.suggest_streets(street) if municipality.gazetteer else []
    draft.street_suggestions, draft.typed_number = list(suggestions), number
    await save(turn, draft)
    rows = [[_choice(draft, s, "street", str(n), literal=True)] for n, s in enumerate(suggestions)]
    rows.append([_choice(draft, "weet_niet", "place", "unknown")])
    turn.say(
        turn.t(
            "melden.straat_onbekend",
            straat=street[:40],
            gemeente=municipality.name,
            suggesties=bool(suggestions),
        ),
        inline(turn.services.texts, turn.taal, rows),
    )


async def on_location(turn: Turn, draft: Draft, lat: float, lon: float) -> None:
    found = turn.services.municipality.resolve_place(lat=lat, lon=lon)
    if found.neighbourhood is None:
        turn.say(turn.t("melden.plek_buiten", gemeente=turn.services.municipality.name))
        return
    await place_chosen(turn, draft, lat=lat, lon=lon, neighbourhood=found.neighbourhood)


async def place_chosen(turn: Turn, draft: Draft, **place: object) -> None:
    draft.set_place(**place)  # type: ignore[arg-type]
    turn.say(turn.t("melden.plek_bevestigd", plek=place_text(turn, draft)), ReplyKeyboardRemove())
    await ask(turn, draft)


async def on_photo(turn: Turn, draft: Draft, file_id: str) -> None:
    if len(draft.photos) >= MAX_PHOTOS:
        rows = [[_choice(draft, "klaar", "photo", "done")]]
        turn.say(
            turn.t("melden.te_veel_fotos", max=MAX_PHOTOS),
            inline(turn.services.texts, turn.taal, rows),
        )
        return
    draft.photos.append(file_id)
    if draft.step is not Step.PHOTOS:
        await ask(turn, draft)  # a photo sent early is kept; carry on with the open question
        return
    await save(turn, draft)
    rows = [[_choice(draft, "klaar", "photo", "done")]]
    turn.say(
        turn.t("melden.foto_ontvangen", aantal=len(draft.photos)),
        inline(turn.services.texts, turn.taal, rows),
    )


async def on_choice(turn: Turn, draft: Draft, button: DraftButton) -> None:
    """A button of this draft's open question (checked by the caller)."""
    field, value = button.field, button.value
    municipality = turn.services.municipality
    if field == "resume":
        await _resume(turn, draft, value == "new")
        return
    if field == "sum" and value == "cancel":
        await save(turn, Draft(start_neighbourhood=draft.start_neighbourhood))
        turn.say(turn.t("melden.geannuleerd"))
        return
    if field == "sum" and value == "send" and draft.step is Step.SUMMARY:
        await send(turn, draft)
        return
    if field == "sum" and value == "edit":
        rows = [
            [_choice(draft, name, "edit", step.value) for name, step in EDITABLE[i : i + 2]]
            for i in range(0, len(EDITABLE), 2)
        ]
        rows.append([_choice(draft, "terug", "edit", "back")])
        turn.say(turn.t("melden.wat_wijzigen"), inline(turn.services.texts, turn.taal, rows))
        return
    themes = list(municipality.themes)
    if field == "sug":
        if value == "yes" and draft.suggested:
            draft.theme, draft.theme_suggested = draft.suggested, True
        elif value == "second" and draft.also_suggested:
            draft.theme, draft.theme_suggested = draft.also_suggested, True
        draft.suggested = draft.also_suggested = None
    elif field == "theme" and value.isdigit() and int(value) < len(themes):
        draft.theme, draft.suggested, draft.also_suggested = themes[int(value)], None, None
    elif field == "street" and value.isdigit() and int(value) < len(draft.street_suggestions):
        street = draft.street_suggestions[int(value)]
        found = municipality.resolve_place(street=street, house_number=draft.typed_number)
        await place_chosen(
            turn,
            draft,
            street=street,
            house_number=draft.typed_number,
            neighbourhood=found.neighbourhood,
        )
        return
    elif field == "place":
        await place_chosen(turn, draft)
        return
    elif field == "photo":
        draft.photos_done = True
    elif field == "urg" and value in {u.value for u in Urgency}:
        draft.urgency = Urgency(value)
    elif field == "contact":
        draft.contact_chosen, draft.anonymous = True, value == "anon"
        draft.name = None if draft.anonymous else turn.user.full_name
    elif field == "edit" and value in {s.value for _, s in EDITABLE}:
        draft.reopen(Step(value))
    await ask(turn, draft)


def button_fits(draft: Draft, button: DraftButton) -> bool:
    """Only buttons of this draft's open question count; the rest belong to old messages."""
    if button.draft_id != draft.id or not draft.active:
        return False
    return button.field == "resume" or button.field in FIELDS_OF_STEP.get(draft.step, frozenset())


async def _resume(turn: Turn, draft: Draft, restart: bool) -> None:
    text, draft.interrupted_by = draft.interrupted_by, None
    if not restart:
        turn.say(turn.t("melden.verder"))
        await ask(turn, draft)
        return
    assert draft.role is not None
    fresh = draft.fresh(draft.role)
    if text:
        take_first_words(turn, fresh, text)
    await ask(turn, fresh)
