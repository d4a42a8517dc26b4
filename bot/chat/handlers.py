"""Telegram handlers: each parses one kind of update and hands it to the flow it belongs to."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.chat import conversation, drafts, owner
from bot.chat.keyboards import inline
from bot.chat.turn import Turn, in_turn
from kern.buttons import DraftButton, LanguageButton, SignalButton, decode, encode
from kern.draft import Step
from kern.notices import Choice, place_of, theme_label
from kern.services import Services
from kern.texts import LANGUAGE_NAMES, LANGUAGES, language_of, say_time
from opslag import contacten, meldingen
from signalen.model import ReporterRole, canonical_reference

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = {"melden", "signaleren", "mijnmeldingen", "annuleren", "taal", "taken"}
MAX_TEXT = 4096  # Telegram's own limit; anything longer is not from Telegram
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"})


def _role(turn: Turn) -> ReporterRole:
    """A linked professional reports as a professional, also when just typing."""
    return ReporterRole.PROFESSIONAL if turn.contact is not None else ReporterRole.BEWONER


@in_turn
async def start(turn: Turn) -> None:
    """Greet; a deep link either registers a contact (inv_…) or names a neighbourhood."""
    payload = _args(turn)[0][:64] if _args(turn) else ""
    if payload.startswith("inv_"):
        await owner.register(turn, payload.removeprefix("inv_"))
        return
    municipality = turn.services.municipality
    draft = await drafts.load(turn)
    neighbourhood = municipality.neighbourhood_id(payload.replace("_", " ")) if payload else None
    if neighbourhood:
        draft.start_neighbourhood = neighbourhood
        await drafts.save(turn, draft)
    name = municipality.neighbourhoods[neighbourhood].name if neighbourhood else None
    turn.say(
        turn.t("algemeen.welkom", naam=turn.user.first_name, gemeente=municipality.name, buurt=name)
    )
    if draft.active and draft.step is not Step.IDLE:
        await conversation.ask_resume(turn, draft)


@in_turn
async def help_(turn: Turn) -> None:
    """List what the bot can do."""
    turn.say(turn.t("algemeen.hulp_professional" if turn.contact else "algemeen.hulp"))


@in_turn
async def report(turn: Turn) -> None:
    """Start a resident's report (/melden), or offer to continue the one being written."""
    await conversation.begin(turn, ReporterRole.BEWONER)


@in_turn
async def signal(turn: Turn) -> None:
    """Start a professional's signal (/signaleren); only for linked contacts."""
    if turn.contact is None:
        turn.say(turn.t("behandelaar.geen_behandelaar"))
        return
    await conversation.begin(turn, ReporterRole.PROFESSIONAL)


@in_turn
async def cancel(turn: Turn) -> None:
    """Throw away the report being written, or the owner's question (/annuleren)."""
    draft = await drafts.load(turn)
    if not draft.active and draft.awaiting is None:
        name = "behandelaar.niets_te_annuleren" if turn.contact else "melden.niets_te_annuleren"
        turn.say(turn.t(name))
        return
    was_report = draft.active
    draft.role, draft.awaiting = None, None
    await drafts.save(turn, draft.model_copy(update={"role": None}))
    turn.say(turn.t("melden.geannuleerd" if was_report else "behandelaar.gestopt"))


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
    """List the owner's open signals (/taken); coordinators see all with `/taken alle`."""
    await owner.list_tasks(turn, everything=bool(_args(turn)) and _args(turn)[0].lower() == "alle")


@in_turn
async def language(turn: Turn) -> None:
    """Offer the languages (/taal)."""
    choices = [
        Choice(LANGUAGE_NAMES[code], encode(LanguageButton(code)), literal=True)
        for code in LANGUAGES
    ]
    rows = [choices[:2], choices[2:]]
    turn.say(turn.t("algemeen.kies_taal"), inline(turn.services.texts, turn.taal, rows))


@in_turn
async def link_group(turn: Turn) -> None:
    """Link a working-group chat to a district with a code (/koppel CODE)."""
    if turn.private:
        turn.say(turn.t("algemeen.koppel_alleen_groep"))
        return
    code = (_args(turn) or [""])[0].strip().upper()[:16]
    district = await contacten.redeem_invite(turn.session, token=code, purpose="group", at=turn.now)
    if district is None or district not in turn.services.municipality.districts:
        turn.say(turn.t("algemeen.groep_code_fout"))
        return
    from opslag.overzicht import group_link  # the link time decides which digests it gets

    # Linked again to the same district (a fresh code): it keeps its first link time, so
    # the next digest is not lost; a new district counts from now (kern.digests).
    before = await group_link(turn.session, chat_id=turn.chat_id)
    since = before.linked_at if before and before.district == district else turn.now
    await contacten.link_group(turn.session, chat_id=turn.chat_id, district=district, at=since)
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
    professional = turn.contact is not None
    turn.say(turn.t(f"algemeen.onbekend_commando{'_professional' if professional else ''}"))


@in_turn
async def text(turn: Turn) -> None:
    """Route typed text: an awaited owner note, a reference, the open draft, or a new report."""
    message = turn.update.effective_message
    body = (message.text or "") if message else ""
    if len(body) > MAX_TEXT:  # say the limit people can keep to (a description's), not Telegram's
        limit = conversation.MAX_DESCRIPTION
        turn.say(turn.t("melden.beschrijving_te_lang", max=limit, lengte=len(body)))
        return
    draft = await drafts.load(turn)
    if draft.awaiting is not None:
        await owner.on_awaited_text(turn, draft.awaiting, body)
    elif (reference := canonical_reference(body)) and draft.step in (Step.IDLE, Step.THEME):
        await _open_reference(turn, reference)
    elif draft.active:
        await conversation.on_text(turn, draft, body)
    else:
        await conversation.begin(turn, _role(turn), text=body)


@in_turn
async def location(turn: Turn) -> None:
    """Take a shared location as the place of the report (starting one if needed)."""
    message = turn.update.effective_message
    if message is None or message.location is None:
        return
    lat, lon = message.location.latitude, message.location.longitude
    draft = await drafts.load(turn)
    if not draft.active:
        draft = draft.fresh(_role(turn))
    await conversation.on_location(turn, draft, lat, lon)


@in_turn
async def photo(turn: Turn) -> None:
    """Add a photo to the report (starting one if needed)."""
    message = turn.update.effective_message
    if message is None or not message.photo:
        return
    await _add_photo(turn, message, message.photo[-1].file_id)  # the largest size


@in_turn
async def document(turn: Turn) -> None:
    """A photo sent as a file counts as a photo; other files get a kind answer."""
    message = turn.update.effective_message
    doc = message.document if message else None
    if message is None or doc is None or (doc.mime_type or "") not in IMAGE_TYPES:
        turn.say(turn.t("algemeen.niet_ondersteund"))
        return
    await _add_photo(turn, message, f"doc:{doc.file_id}")


async def _add_photo(turn: Turn, message: Message, file_id: str) -> None:
    draft = await drafts.load(turn)
    if draft.active:
        await conversation.on_photo(turn, draft, file_id)
    else:
        # Never cut: a cut caption whose tail was spaces came out short enough to keep.
        caption = message.caption or None
        if caption is not None and len(caption) > MAX_TEXT:
            limit = conversation.MAX_DESCRIPTION
            turn.say(turn.t("melden.beschrijving_te_lang", max=limit, lengte=len(caption)))
            return
        await conversation.begin(turn, _role(turn), text=caption, photo=file_id)


@in_turn
async def shared_contact(turn: Turn) -> None:
    """Take a shared phone number as the way to reach the reporter."""
    message = turn.update.effective_message
    draft = await drafts.load(turn)
    if message is None or message.contact is None or draft.step is not Step.CONTACT:
        turn.say(turn.t("melden.kies_knop"))
        return
    await conversation.on_text(turn, draft, message.contact.phone_number[:40])


@in_turn
async def unsupported(turn: Turn) -> None:
    """Answer stickers, voice, files and the like kindly."""
    turn.say(turn.t("algemeen.niet_ondersteund"))


@in_turn
async def edited(turn: Turn) -> None:
    """Explain that edits are not picked up."""
    message = turn.update.effective_message
    if message is not None and message.location is not None:
        return  # a live location moving: Telegram sends every move as an edit; not a question
    turn.say(turn.t("algemeen.bewerkt"))


@in_turn
async def signal_button(turn: Turn) -> None:
    """A button on a signal (owner action or the reporter's answer)."""
    button = _decoded(turn)
    if isinstance(button, SignalButton):
        await owner.on_signal_button(turn, button)
    else:
        _stale(turn)


@in_turn
async def draft_button(turn: Turn) -> None:
    """A button of the report being written; old questions' buttons change nothing."""
    button = _decoded(turn)
    draft = await drafts.load(turn)
    if not isinstance(button, DraftButton) or not conversation.button_fits(draft, button):
        _stale(turn)
        return
    _mark_choice(turn)
    turn.answer()
    await conversation.on_choice(turn, draft, button)


@in_turn
async def language_button(turn: Turn) -> None:
    """Remember the chosen language."""
    button = _decoded(turn)
    if not isinstance(button, LanguageButton) or button.language not in LANGUAGES:
        _stale(turn)
        return
    await contacten.set_language(turn.session, user_id=turn.user.id, language=button.language)
    turn.taal = button.language
    _mark_choice(turn)
    turn.answer()
    turn.say(turn.t("algemeen.taal_gekozen"))


@in_turn
async def stale_button(turn: Turn) -> None:
    """Any button whose data we do not know (old versions, forged)."""
    _stale(turn)


def _decoded(turn: Turn) -> DraftButton | SignalButton | LanguageButton | None:
    query = turn.update.callback_query
    return decode(query.data if query else None, languages=LANGUAGES)


def _stale(turn: Turn) -> None:
    turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)
    owner.drop_buttons(turn)


def _mark_choice(turn: Turn) -> None:
    """Show the chosen button under the question and take the buttons away."""
    query = turn.update.callback_query
    message = query.message if query else None
    if query is None or not isinstance(message, Message) or not message.text:
        return
    markup = message.reply_markup
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


async def _open_reference(turn: Turn, reference: str) -> None:
    """Show a signal's history to its reporter; the whole card to whoever may act on it."""
    signal = await meldingen.get_signal_by_reference(turn.session, reference=reference)
    manager = turn.manager()
    contact_id = turn.contact.contact_id if turn.contact else None
    if signal is None or not manager.may_see(signal, contact_id, turn.user.id):
        turn.say(turn.t("melden.niet_gevonden", referentie=reference))
        return
    if manager.may_act(signal, contact_id):
        owner.show_card(turn, signal)
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


def _args(turn: Turn) -> list[str]:
    message = turn.update.effective_message
    return (message.text or "")[:200].split()[1:] if message else []


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
