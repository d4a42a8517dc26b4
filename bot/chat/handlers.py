"""Telegram handlers: each parses one kind of update and hands it to the flow it belongs to."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.chat import conversation as melden
from bot.chat import owner as behandelen
from bot.chat.turn import Turn, in_turn
from kern import intake as indienen
from kern.notices import place_of, theme_label
from kern.services import Services
from kern.texts import LANGUAGES, language_of, say_time
from opslag import concepten, contacten, meldingen
from signalen.model import ReporterRole, parse_reference

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = {"melden", "signaleren", "mijnmeldingen", "annuleren", "taal", "taken"}


@in_turn
async def start(turn: Turn) -> None:
    """Greet; a deep link either registers a contact (inv_…) or names a neighbourhood."""
    payload = _args(turn)[0] if _args(turn) else ""
    if payload.startswith("inv_"):
        await behandelen.register(turn, payload.removeprefix("inv_"))
        return
    municipality = turn.services.municipality
    neighbourhood = municipality.neighbourhood_id(payload.replace("_", " ")) if payload else None
    if neighbourhood:
        await concepten.save_draft(
            turn.session,
            chat_id=turn.chat_id,
            user_id=turn.user.id,
            step="idle",
            data={"start_neighbourhood": neighbourhood},
            at=turn.now,
        )
    name = municipality.neighbourhoods[neighbourhood].name if neighbourhood else None
    turn.say(
        turn.t("algemeen.welkom", naam=turn.user.first_name, gemeente=municipality.name, buurt=name)
    )


@in_turn
async def help_(turn: Turn) -> None:
    """List what the bot can do."""
    turn.say(turn.t("algemeen.hulp"))


@in_turn
async def report(turn: Turn) -> None:
    """Start a resident's report (/melden)."""
    await melden.start(turn, role=ReporterRole.BEWONER, neighbourhood=await _start_place(turn))


@in_turn
async def signal(turn: Turn) -> None:
    """Start a professional's signal (/signaleren); only for linked contacts."""
    if turn.contact is None:
        turn.say(turn.t("behandelaar.geen_behandelaar"))
        return
    await melden.start(turn, role=ReporterRole.PROFESSIONAL, neighbourhood=await _start_place(turn))


@in_turn
async def cancel(turn: Turn) -> None:
    """Throw away the report being written (/annuleren)."""
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if draft is None or (draft.step == "idle" and "pending" not in draft.data):
        turn.say(turn.t("melden.niets_te_annuleren"))
        return
    await concepten.delete_draft(turn.session, chat_id=turn.chat_id)
    turn.say(turn.t("melden.geannuleerd"))


@in_turn
async def my_reports(turn: Turn) -> None:
    """List the reporter's own reports and their status (/mijnmeldingen)."""
    signals = await meldingen.signals_of_reporter(turn.session, telegram_user_id=turn.user.id)
    if not signals:
        turn.say(turn.t("melden.geen_meldingen"))
        return
    rows = [
        {
            "referentie": s.reference,
            "thema": theme_label(turn.services, s.theme, turn.taal),
            "plek": place_of(s, turn.services),
            "status": turn.services.texts("knoppen.status", turn.taal, waarde=s.status),
        }
        for s in signals
    ]
    turn.say(turn.t("melden.mijn_meldingen", regels=rows))


@in_turn
async def tasks(turn: Turn) -> None:
    """List the owner's open signals (/taken)."""
    await behandelen.list_tasks(turn)


@in_turn
async def language(turn: Turn) -> None:
    """Offer Dutch or English (/taal)."""
    turn.say(
        turn.t("algemeen.kies_taal"),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(turn.label("nederlands"), callback_data="l:nl"),
                    InlineKeyboardButton(turn.label("english"), callback_data="l:en"),
                ]
            ]
        ),
    )


@in_turn
async def link_group(turn: Turn) -> None:
    """Link a working-group chat to a district with a code (/koppel CODE)."""
    if turn.private:
        turn.say(turn.t("algemeen.koppel_alleen_groep"))
        return
    code = (_args(turn) or [""])[0].strip().upper()
    district = await contacten.redeem_invite(turn.session, token=code, purpose="group", at=turn.now)
    if district is None or district not in turn.services.municipality.districts:
        turn.say(turn.t("algemeen.groep_code_fout"))
        return
    await contacten.link_group(turn.session, chat_id=turn.chat_id, district=district, at=turn.now)
    log.info("group %s linked to district %s", turn.chat_id, district)
    turn.say(
        turn.t("algemeen.groep_gekoppeld", wijk=turn.services.municipality.districts[district].name)
    )


@in_turn
async def private_only(turn: Turn) -> None:
    """Refuse reporting commands in a group, pointing to the private chat."""
    turn.say(turn.t("algemeen.alleen_prive", bot=turn.services.bot_username))


@in_turn
async def unknown_command(turn: Turn) -> None:
    turn.say(turn.t("algemeen.onbekend_commando"))


@in_turn
async def text(turn: Turn) -> None:
    """Route typed text: a pending owner note, a reference, the open draft, or a new report."""
    message = turn.update.effective_message
    body = (message.text or "") if message else ""
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if draft is not None and "pending" in draft.data:
        await behandelen.on_pending_text(turn, draft.data["pending"], body)
    elif parse_reference(body) and (draft is None or draft.step == "idle"):
        await _history(turn, body)
    elif draft is not None and draft.step != "idle":
        await melden.on_text(turn, dict(draft.data), draft.step, body)
    else:
        start_place = draft.data.get("start_neighbourhood") if draft else None
        await melden.start(turn, role=ReporterRole.BEWONER, text=body, neighbourhood=start_place)


@in_turn
async def location(turn: Turn) -> None:
    """Take a shared location as the place of the report (starting one if needed)."""
    message = turn.update.effective_message
    if message is None or message.location is None:
        return
    lat, lon = message.location.latitude, message.location.longitude
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if draft is not None and draft.step not in ("idle",):
        await melden.on_location(turn, dict(draft.data), lat, lon)
        return
    found = turn.services.municipality.resolve_place(lat=lat, lon=lon)
    preset: dict[str, Any] = {
        "lat": lat,
        "lon": lon,
        "neighbourhood": found.neighbourhood,
        "place": True,
    }
    await melden.start(turn, role=ReporterRole.BEWONER, **(preset if found.neighbourhood else {}))


@in_turn
async def photo(turn: Turn) -> None:
    """Add a photo to the report (starting one if needed)."""
    message = turn.update.effective_message
    if message is None or not message.photo:
        return
    file_id = message.photo[-1].file_id  # the largest size
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if draft is not None and draft.step != "idle":
        await melden.on_photo(turn, dict(draft.data), file_id)
    else:
        await melden.start(
            turn, role=ReporterRole.BEWONER, photos=[file_id], text=message.caption or None
        )


@in_turn
async def shared_contact(turn: Turn) -> None:
    """Take a shared phone number as the way to reach the reporter."""
    message = turn.update.effective_message
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if message is None or message.contact is None or draft is None or draft.step != "contact":
        turn.say(turn.t("melden.kies_knop"))
        return
    await melden.on_text(turn, dict(draft.data), "contact", message.contact.phone_number)


@in_turn
async def unsupported(turn: Turn) -> None:
    """Answer stickers, voice, files and the like kindly."""
    turn.say(turn.t("algemeen.niet_ondersteund"))


@in_turn
async def edited(turn: Turn) -> None:
    """Explain that edits are not picked up."""
    turn.say(turn.t("algemeen.bewerkt"))


@in_turn
async def button(turn: Turn) -> None:
    """Dispatch a button press: draft choices (d:), signal actions (s:) or language (l:)."""
    query = turn.update.callback_query
    data = (query.data or "") if query else ""
    kind, _, rest = data.partition(":")
    if kind == "s":
        signal_id, _, action_arg = rest.partition(":")
        action, _, arg = action_arg.partition(":")
        if signal_id.isdigit():
            await behandelen.on_signal_button(turn, int(signal_id), action, arg or None)
            return
    elif kind == "l" and rest in LANGUAGES:
        await contacten.set_language(turn.session, user_id=turn.user.id, language=rest)
        turn.taal = rest
        _mark_choice(turn)
        turn.answer()
        turn.say(turn.t("algemeen.taal_gekozen"))
        return
    elif kind == "d":
        draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
        if draft is not None and draft.step != "idle":
            _mark_choice(turn)
            await _draft_button(turn, dict(draft.data), rest)
            return
    turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)


async def _draft_button(turn: Turn, data: dict, rest: str) -> None:
    field, _, value = rest.partition(":")
    if field == "sum" and value == "send" and melden.next_step(data) == "summary":
        turn.answer()
        await indienen.submit(turn, data)
    elif field == "sum" and value == "cancel":
        await concepten.delete_draft(turn.session, chat_id=turn.chat_id)
        turn.answer()
        turn.say(turn.t("melden.geannuleerd"))
    elif field == "sum" and value == "edit":
        turn.answer()
        fields = [
            ("onderwerp", "theme"),
            ("beschrijving", "description"),
            ("plek", "place"),
            ("fotos", "photos"),
            ("urgentie", "urgency"),
            ("contact", "contact"),
        ]
        rows = [
            [
                InlineKeyboardButton(turn.label(name), callback_data=f"d:edit:{step}")
                for name, step in fields[i : i + 2]
            ]
            for i in range(0, len(fields), 2)
        ]
        turn.say(turn.t("melden.wat_wijzigen"), InlineKeyboardMarkup(rows))
    else:
        await melden.on_choice(turn, data, field, value)


def _mark_choice(turn: Turn) -> None:
    """Show the chosen button under the question and take the buttons away."""
    query = turn.update.callback_query
    message = query.message if query else None
    if query is None or not isinstance(message, Message) or not message.text:
        return
    markup = getattr(message, "reply_markup", None)
    chosen = next(
        (
            b.text
            for row in (markup.inline_keyboard if markup else ())
            for b in row
            if b.callback_data == query.data
        ),
        None,
    )
    if chosen:
        turn.edit(message.message_id, f"{message.text_html}\n→ <i>{_escape(chosen)}</i>", None)


async def _history(turn: Turn, typed: str) -> None:
    reference = typed.strip().upper().replace(" ", "")
    signal = await meldingen.get_signal_by_reference(turn.session, reference=reference)
    visible = signal is not None and (
        signal.reporter_telegram_id == turn.user.id
        or (turn.contact is not None and turn.contact.contact_id == signal.contact_id)
    )
    if signal is None or not visible:
        turn.say(turn.t("melden.niet_gevonden", referentie=reference))
        return
    steps = [
        {
            "wanneer": say_time(e.at, turn.taal),
            "wat": turn.services.texts("knoppen.status", turn.taal, waarde=e.to_status),
            "toelichting": e.note if e.to_status == "afgehandeld" else "",
        }
        for e in await meldingen.history(turn.session, signal_id=signal.id or 0)
        if e.from_status != e.to_status
    ]
    turn.say(
        turn.t(
            "melden.geschiedenis",
            referentie=signal.reference,
            thema=theme_label(turn.services, signal.theme, turn.taal),
            stappen=steps,
        )
    )


async def _start_place(turn: Turn) -> str | None:
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    return draft.data.get("start_neighbourhood") if draft is not None else None


def _args(turn: Turn) -> list[str]:
    message = turn.update.effective_message
    return (message.text or "").split()[1:] if message else []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by update id and tell the user kindly; the transaction was rolled back."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        services: Services = context.bot_data["services"]
        user = update.effective_user
        taal = language_of(user.language_code if user else None)
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                services.texts("algemeen.fout", taal),
                parse_mode=ParseMode.HTML,
            )
        except Exception:  # the chat may be gone; the log above has what we need
            log.warning("could not tell chat about failed update %s", update_id)
