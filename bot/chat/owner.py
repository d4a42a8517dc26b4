"""Owners act on signals from Telegram; reporters answer "is it solved?". Always re-authorised.

Buttons carry the signal's version: a button from a message older than the signal's last
change answers "this button no longer works" and loses its keyboard; nothing changes.
"""

from __future__ import annotations

import logging

from telegram import Message

from bot.chat import drafts
from bot.chat.keyboards import inline
from bot.chat.turn import Turn
from kern.buttons import SignalButton, encode
from kern.draft import Awaiting
from kern.notices import (
    Choice,
    OwnerCard,
    ToChat,
    place_of,
    say_term,
    signal_owner_phrase,
    theme_label,
)
from kern.texts import say_date
from opslag import contacten, meldingen
from opslag.tabellen import SignalRow
from signalen.workflow import Status, TransitionNotAllowed

log = logging.getLogger(__name__)

REPORTER_ACTIONS = frozenset({"yes", "no"})
CARD_ACTIONS = frozenset({"ok", "done", "fwd", "nm"})  # the buttons on an owner's card
MAX_TASK_ROWS = 30  # /taken: more is no overview; the rest are counted
MAX_MESSAGE = 4096  # Telegram's limit for one message


async def on_signal_button(turn: Turn, button: SignalButton) -> None:
    """Handle a signal's button after checking its version and who presses it."""
    manager = turn.manager()
    signal = await manager.get(button.signal_id)
    if signal is None or signal.version != button.version:
        contact = turn.contact.contact_id if turn.contact else None
        if (
            signal is not None
            and button.action in CARD_ACTIONS
            and manager.may_act(signal, contact)
        ):
            # An old card (its edit after the last step may never have reached Telegram):
            # show it as it is now, with the buttons that work, instead of a dead end.
            turn.answer(turn.t("algemeen.kaart_bijgewerkt", referentie=signal.reference))
            _refresh_card(turn, signal)
            return
        turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)
        drop_buttons(turn)
        return
    if button.action in REPORTER_ACTIONS:
        allowed = signal.reporter_telegram_id == turn.user.id
    else:
        allowed = manager.may_act(signal, turn.contact.contact_id if turn.contact else None)
    if not allowed:
        log.info("user %s refused %s on signal %s", turn.user.id, button.action, signal.id)
        turn.answer(turn.t("behandelaar.geweigerd"), alert=True)
        return
    try:
        await _ACTIONS[button.action](turn, signal, button)
    except TransitionNotAllowed:
        status = turn.services.texts("knoppen.status", turn.taal, waarde=signal.status)
        turn.answer(
            turn.t("behandelaar.kan_niet_meer", referentie=signal.reference, status=status),
            alert=True,
        )


def _choice(
    signal: SignalRow, label: str, action: str, arg: int | None = None, literal: bool = False
) -> Choice:
    assert signal.id is not None
    return Choice(label, encode(SignalButton(signal.id, signal.version, action, arg)), literal)


async def _accept(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    turn.notify(await turn.manager().accept(signal, turn.actor, keep=turn.pressed))
    _refresh_card(turn, signal)
    turn.answer(turn.t("behandelaar.opgepakt", referentie=signal.reference))


async def _ask_closing_note(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    if signal.status == Status.AFGEHANDELD:
        raise TransitionNotAllowed(Status(signal.status), Status.AFGEHANDELD)
    await _await_text(
        turn, Awaiting(action="close", signal_id=signal.id or 0, version=signal.version)
    )
    turn.answer()
    rows = [[_choice(signal, "zonder_toelichting", "nonote"), _choice(signal, "terug", "back")]]
    turn.say(
        turn.t(
            "behandelaar.vraag_afsluiting",
            referentie=signal.reference,
            publiek=turn.services.municipality.posts_publicly(signal.district, signal.theme)
            and turn.services.municipality.public_note_wanted(signal.district),
        ),
        inline(turn.services.texts, turn.taal, rows),
    )


async def _close_without_note(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    turn.answer()
    drop_buttons(turn)
    await close(turn, signal, "")


async def close(turn: Turn, signal: SignalRow, note: str) -> None:
    """Close the signal with the owner's note; the reporter is asked whether it is solved."""
    await _await_text(turn, None)
    turn.notify(await turn.manager().close(signal, turn.actor, note))
    turn.say(turn.t("behandelaar.afgerond", referentie=signal.reference))


async def _ask_new_owner(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    contacts = turn.services.municipality.contacts
    candidates = turn.manager().handover_candidates(signal)
    rows = [
        [
            _choice(
                signal,
                f"{contacts[c].name} ({(contacts[c].role or '').replace('_', ' ')})",
                "to",
                n,
                True,
            )
        ]
        for n, c in enumerate(candidates[:40])
    ]
    rows.append([_choice(signal, "terug", "back")])
    turn.answer()
    turn.say(
        turn.t("behandelaar.vraag_doorsturen", referentie=signal.reference),
        inline(turn.services.texts, turn.taal, rows),
    )


async def _pick_new_owner(turn: Turn, signal: SignalRow, button: SignalButton) -> None:
    candidates = turn.manager().handover_candidates(signal)
    if button.arg is None or button.arg >= len(candidates):
        turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)
        return
    to = candidates[button.arg]
    await _await_text(
        turn, Awaiting(action="handover", signal_id=signal.id or 0, version=signal.version, to=to)
    )
    turn.answer()
    drop_buttons(turn)
    rows = [[_choice(signal, "terug", "back")]]
    turn.say(
        turn.t("behandelaar.vraag_reden", referentie=signal.reference),
        inline(turn.services.texts, turn.taal, rows),
    )


async def _not_mine(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    to = turn.manager().not_mine_target(signal)
    await _await_text(
        turn,
        Awaiting(action="notmine", signal_id=signal.id or 0, version=signal.version, to=to),
    )
    turn.answer()
    rows = [[_choice(signal, "terug", "back")]]
    turn.say(
        turn.t("behandelaar.vraag_reden", referentie=signal.reference),
        inline(turn.services.texts, turn.taal, rows),
    )


async def _back(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    """Close a choice list or a question without doing anything."""
    await _await_text(turn, None)
    turn.answer()
    drop_buttons(turn)


async def hand_over(turn: Turn, signal: SignalRow, awaiting: Awaiting, reason: str) -> None:
    """Give the signal on with the typed reason; say who really has it now."""
    await _await_text(turn, None)
    assert awaiting.to is not None
    notices = await turn.manager().hand_over(
        signal, turn.actor, awaiting.to, reason, not_mine=awaiting.action == "notmine"
    )
    turn.notify(notices)
    contacts = turn.services.municipality.contacts
    turn.say(
        turn.t(
            "behandelaar.doorgestuurd",
            referentie=signal.reference,
            naar=contacts[signal.contact_id].name,
            bedoeld=contacts[signal.diverted_from].name if signal.diverted_from else "",
        )
    )


async def _solved(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    await turn.manager().confirm_solved(signal)
    drop_buttons(turn)
    turn.answer()
    turn.say(turn.t("terugkoppeling.bedankt_opgelost"))


async def _not_solved(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    turn.notify(await turn.manager().reopen(signal))
    drop_buttons(turn)
    turn.answer()
    turn.say(
        turn.t(
            "terugkoppeling.heropend",
            referentie=signal.reference,
            eigenaar=signal_owner_phrase(turn.services, signal, turn.taal),
            datum=say_date(signal.expected_at or signal.deadline, turn.taal),
        )
    )


async def _show(turn: Turn, signal: SignalRow, _: SignalButton) -> None:
    turn.answer()
    show_card(turn, signal)


def show_card(turn: Turn, signal: SignalRow) -> None:
    """The whole card, with photos, pin and map link, through the outbox like every card."""
    key = f"u{turn.update.update_id}:card{signal.id}"
    turn.notify([OwnerCard(key, ToChat(turn.chat_id, turn.taal), signal)])


_ACTIONS = {
    "ok": _accept,
    "done": _ask_closing_note,
    "nonote": _close_without_note,
    "fwd": _ask_new_owner,
    "to": _pick_new_owner,
    "nm": _not_mine,
    "back": _back,
    "show": _show,
    "yes": _solved,
    "no": _not_solved,
}


async def on_awaited_text(turn: Turn, awaiting: Awaiting, text: str) -> None:
    """Finish an owner action that waited for typed text (closing note or handover reason)."""
    manager = turn.manager()
    signal = await manager.get(awaiting.signal_id)
    contact_id = turn.contact.contact_id if turn.contact else None
    if signal is None or not manager.may_act(signal, contact_id):
        await _await_text(turn, None)
        turn.say(turn.t("behandelaar.geweigerd"))
        return
    limit = 1000 if awaiting.action == "close" else 400
    if len(text) > limit:
        turn.say(turn.t("behandelaar.te_lang", max=limit))
        return
    if signal.version != awaiting.version:
        await _await_text(turn, None)
        status = turn.services.texts("knoppen.status", turn.taal, waarde=signal.status)
        turn.say(turn.t("behandelaar.kan_niet_meer", referentie=signal.reference, status=status))
        return
    try:
        if awaiting.action == "close":
            await close(turn, signal, text)
        else:
            await hand_over(turn, signal, awaiting, text)
    except TransitionNotAllowed:
        await _await_text(turn, None)
        status = turn.services.texts("knoppen.status", turn.taal, waarde=signal.status)
        turn.say(turn.t("behandelaar.kan_niet_meer", referentie=signal.reference, status=status))


async def list_tasks(turn: Turn, everything: bool = False) -> None:
    """The owner's open signals (a coordinator's: all, with `/taken alle`), soonest first."""
    if turn.contact is None:
        turn.say(turn.t("behandelaar.geen_behandelaar"))
        return
    coordinator = turn.contact.contact_id in turn.services.municipality.settings.coordinators
    if everything and coordinator:
        signals = await meldingen.open_signals(turn.session, limit=40)
    else:
        signals = await meldingen.open_signals_of_contact(
            turn.session, contact_id=turn.contact.contact_id
        )
    if not signals:
        turn.say(turn.t("behandelaar.geen_taken", coordinator=coordinator))
        return
    linked = await contacten.linked_among(turn.session, contact_ids=[s.contact_id for s in signals])
    contacts = turn.services.municipality.contacts
    rows = [
        {
            "referentie": s.reference,
            "thema": theme_label(turn.services, s.theme, turn.taal),
            "plek": place_of(s, turn.services),
            "termijn": say_term(s, turn.taal),
            "te_laat": s.deadline < turn.now,
            "eigenaar": contacts[s.contact_id].name if everything else "",
            "onbereikbaar": s.contact_id not in linked,
        }
        for s in signals[:MAX_TASK_ROWS]
    ]
    alle = everything and coordinator

    def listing(shown: int) -> str:
        meer = len(signals) - shown
        return turn.t("behandelaar.taken", regels=rows[:shown], alle=alle, meer=meer)

    # Telegram refuses a message over 4096 characters whole, and the owner would get nothing:
    # show the soonest deadlines that fit, and say how many more there are.
    shown = len(rows)
    text = listing(shown)
    while len(text) > MAX_MESSAGE and shown > 1:
        shown -= 1
        text = listing(shown)
    buttons = [[_choice(s, s.reference, "show", literal=True)] for s in signals[: min(shown, 20)]]
    turn.say(text, inline(turn.services.texts, turn.taal, buttons))


async def register(turn: Turn, token: str) -> None:
    """Redeem a contact invitation from a deep link and link this account."""
    contact_id = await contacten.redeem_invite(
        turn.session, token=token, purpose="contact", at=turn.now
    )
    contact = turn.services.municipality.contacts.get(contact_id or "")
    if contact is None:
        turn.say(turn.t("behandelaar.uitnodiging_ongeldig"))
        return
    await contacten.register_contact(
        turn.session,
        contact_id=contact.id,
        telegram_user_id=turn.user.id,
        chat_id=turn.chat_id,
        language=turn.taal,
        at=turn.now,
    )
    log.info("contact %s linked to telegram user %s", contact.id, turn.user.id)
    municipality = turn.services.municipality
    owns = municipality.can_own(contact.id)
    turn.say(
        turn.t(
            "behandelaar.welkom" if owns else "behandelaar.welkom_alleen_bericht",
            naam=contact.name,
            rol=contact.title or municipality.role_label(contact.role, turn.taal) or contact.name,
            organisatie=contact.organisation,
        )
    )


def _refresh_card(turn: Turn, signal: SignalRow) -> None:
    """Show the pressed card in its new state, with the buttons that fit it now."""
    from kern.notices import card_text, owner_choices

    query = turn.update.callback_query
    if query is not None and query.message is not None:
        text = card_text(turn.services, signal, turn.taal)
        markup = inline(turn.services.texts, turn.taal, owner_choices(signal))
        turn.edit(query.message.message_id, text, markup if markup.inline_keyboard else None)


def drop_buttons(turn: Turn) -> None:
    """Take the keyboard off the message whose button was pressed."""
    query = turn.update.callback_query
    message = query.message if query else None
    if isinstance(message, Message) and message.text and message.reply_markup:
        turn.edit(message.message_id, message.text_html, None)


async def _await_text(turn: Turn, awaiting: Awaiting | None) -> None:
    draft = await drafts.load(turn)
    draft.awaiting = awaiting
    await drafts.save(turn, draft)
