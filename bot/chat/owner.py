"""Owners act on signals from Telegram; reporters answer "is it solved?". Always re-authorised."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.chat.turn import Turn
from kern import planning
from kern.notices import (
    notify_owner,
    owner_card,
    owner_phrase,
    place_of,
    tell_reporter,
    theme_label,
)
from kern.texts import say_date
from opslag import concepten, contacten, meldingen
from opslag.tabellen import AuditEventRow, SignalRow
from signalen.workflow import CLOSED_STATUSES, Status, TransitionNotAllowed

log = logging.getLogger(__name__)

OWNER_ACTIONS = {"ok", "done", "nonote", "fwd", "to", "nm", "show"}
REPORTER_ACTIONS = {"yes", "no"}


async def on_signal_button(turn: Turn, signal_id: int, action: str, arg: str | None) -> None:
    """Handle `s:<id>:<action>[:<arg>]` after checking who may do it."""
    signal = await meldingen.get_signal(turn.session, signal_id=signal_id, for_update=True)
    if signal is None or action not in OWNER_ACTIONS | REPORTER_ACTIONS:
        turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)
        return
    allowed = (
        _may_act(turn, signal)
        if action in OWNER_ACTIONS
        else (signal.reporter_telegram_id == turn.user.id)
    )
    if not allowed:
        log.info("user %s refused action %s on signal %s", turn.user.id, action, signal.id)
        turn.answer(turn.t("behandelaar.geweigerd"), alert=True)
        return
    try:
        await _ACTIONS[action](turn, signal, arg)
    except TransitionNotAllowed:
        status = turn.services.texts("knoppen.status", turn.taal, waarde=signal.status)
        turn.answer(
            turn.t("behandelaar.kan_niet_meer", referentie=signal.reference, status=status),
            alert=True,
        )


def _may_act(turn: Turn, signal: SignalRow) -> bool:
    if turn.contact is None:
        return False
    me = turn.contact.contact_id
    coordinators = turn.services.municipality.settings.coordinators
    escalated_to_me = signal.escalated_at is not None and signal.escalation_contact_id == me
    return me == signal.contact_id or me in coordinators or escalated_to_me


async def _accept(turn: Turn, signal: SignalRow, _: str | None) -> None:
    event = await _step(turn, signal, Status.IN_BEHANDELING)
    await tell_reporter(
        turn.session,
        turn.services,
        signal,
        key=f"a{event.id}",
        template="terugkoppeling.opgepakt",
        eigenaar=owner_phrase(turn.services, signal, signal.reporter_language),
    )
    _refresh_card(turn, signal)
    turn.answer(turn.t("behandelaar.opgepakt", referentie=signal.reference))


async def _ask_closing_note(turn: Turn, signal: SignalRow, _: str | None) -> None:
    if Status(signal.status) in CLOSED_STATUSES:
        _raise(signal)
    await _set_pending(turn, {"action": "close", "signal": signal.id})
    turn.answer()
    turn.say(
        turn.t("behandelaar.vraag_afsluiting", referentie=signal.reference),
        _buttons(turn, signal, [("zonder_toelichting", "nonote")]),
    )


async def _close_without_note(turn: Turn, signal: SignalRow, _: str | None) -> None:
    turn.answer()
    await close(turn, signal, "")


async def close(turn: Turn, signal: SignalRow, note: str) -> None:
    """Close the signal with the owner's note; ask the reporter whether it is solved."""
    await _clear_pending(turn)
    event = await _step(turn, signal, Status.AFGEHANDELD, note)
    await tell_reporter(
        turn.session,
        turn.services,
        signal,
        key=f"a{event.id}",
        template="terugkoppeling.afgehandeld",
        toelichting=note,
        buttons=[("opgelost_ja", "yes"), ("opgelost_nee", "no")],
    )
    turn.say(turn.t("behandelaar.afgerond", referentie=signal.reference))


async def _ask_new_owner(turn: Turn, signal: SignalRow, _: str | None) -> None:
    candidates = handover_candidates(turn, signal)
    rows = [
        [InlineKeyboardButton(f"{c.name} ({c.role.value})", callback_data=f"s:{signal.id}:to:{n}")]
        for n, c in enumerate(candidates)
    ]
    turn.answer()
    turn.say(
        turn.t("behandelaar.vraag_doorsturen", referentie=signal.reference),
        InlineKeyboardMarkup(rows),
    )


def handover_candidates(turn: Turn, signal: SignalRow) -> list[Any]:
    """Contacts covering the signal's neighbourhood (or the wijkmanagers), not the owner."""
    municipality = turn.services.municipality
    covering = {
        c for (_, n), ids in municipality.coverage.items() if n == signal.neighbourhood for c in ids
    }
    if not covering:
        covering = {d.fallback_contact for d in municipality.districts.values()}
    covering.discard(signal.contact_id)
    return sorted((municipality.contacts[c] for c in covering), key=lambda c: (c.role.value, c.id))


async def _pick_new_owner(turn: Turn, signal: SignalRow, arg: str | None) -> None:
    candidates = handover_candidates(turn, signal)
    if arg is None or not arg.isdigit() or int(arg) >= len(candidates):
        turn.answer(turn.t("algemeen.verlopen_knop"), alert=True)
        return
    await _set_pending(
        turn, {"action": "handover", "signal": signal.id, "to": candidates[int(arg)].id}
    )
    turn.answer()
    turn.say(turn.t("behandelaar.vraag_reden", referentie=signal.reference))


async def _not_mine(turn: Turn, signal: SignalRow, _: str | None) -> None:
    municipality = turn.services.municipality
    fallback = municipality.districts[signal.district].fallback_contact if signal.district else None
    if fallback in (None, signal.contact_id):
        fallback = municipality.settings.fallback_contact
    await _set_pending(turn, {"action": "handover", "signal": signal.id, "to": fallback})
    turn.answer()
    turn.say(turn.t("behandelaar.vraag_reden", referentie=signal.reference))


async def hand_over(turn: Turn, signal: SignalRow, to: str, reason: str) -> None:
    """Give the signal to another contact with a reason; tell them and the reporter."""
    await _clear_pending(turn)
    previous = turn.services.municipality.contacts[signal.contact_id].name
    event = await _step(turn, signal, Status.DOORGEZET, reason, contact_id=to)
    await notify_owner(
        turn.session,
        turn.services,
        signal,
        key=f"a{event.id}",
        headline="doorgestuurd",
        handed_over=f"{previous}: {reason}",
    )
    await tell_reporter(
        turn.session,
        turn.services,
        signal,
        key=f"a{event.id}",
        template="terugkoppeling.doorgestuurd",
        eigenaar=owner_phrase(turn.services, signal, signal.reporter_language),
        datum=say_date(signal.deadline, signal.reporter_language),
    )
    turn.say(
        turn.t(
            "behandelaar.doorgestuurd",
            referentie=signal.reference,
            naar=turn.services.municipality.contacts[to].name,
        )
    )


async def _solved(turn: Turn, signal: SignalRow, _: str | None) -> None:
    if signal.status != Status.AFGEHANDELD:
        _raise(signal)
    signal.solved = True
    meldingen.note_event(turn.session, signal, at=turn.now, actor="melder", note="opgelost: ja")
    _drop_buttons(turn)
    turn.answer()
    turn.say(turn.t("terugkoppeling.bedankt_opgelost"))


async def _not_solved(turn: Turn, signal: SignalRow, _: str | None) -> None:
    signal.solved = False
    event = await _step(turn, signal, Status.HEROPEND, "opgelost: nee", actor="melder")
    await notify_owner(turn.session, turn.services, signal, key=f"a{event.id}", headline="heropend")
    _drop_buttons(turn)
    turn.answer()
    turn.say(
        turn.t(
            "terugkoppeling.heropend",
            referentie=signal.reference,
            eigenaar=owner_phrase(turn.services, signal, turn.taal),
        )
    )


async def _show(turn: Turn, signal: SignalRow, _: str | None) -> None:
    text, markup = owner_card(turn.services, signal, turn.taal)
    turn.answer()
    turn.say(text, markup)


_ACTIONS = {
    "ok": _accept,
    "done": _ask_closing_note,
    "nonote": _close_without_note,
    "fwd": _ask_new_owner,
    "to": _pick_new_owner,
    "nm": _not_mine,
    "show": _show,
    "yes": _solved,
    "no": _not_solved,
}


async def on_pending_text(turn: Turn, pending: dict[str, Any], text: str) -> None:
    """Finish an owner action that waited for typed text (closing note or hand-over reason)."""
    signal = await meldingen.get_signal(turn.session, signal_id=pending["signal"], for_update=True)
    if signal is None or not _may_act(turn, signal):
        await _clear_pending(turn)
        turn.say(turn.t("behandelaar.geweigerd"))
        return
    try:
        if pending["action"] == "close":
            await close(turn, signal, text.strip()[:1000])
        else:
            await hand_over(turn, signal, pending["to"], text.strip()[:500])
    except TransitionNotAllowed:
        await _clear_pending(turn)
        status = turn.services.texts("knoppen.status", turn.taal, waarde=signal.status)
        turn.say(turn.t("behandelaar.kan_niet_meer", referentie=signal.reference, status=status))


async def list_tasks(turn: Turn) -> None:
    """Show the owner's open signals, soonest deadline first, each with a button to open it."""
    if turn.contact is None:
        turn.say(turn.t("behandelaar.geen_behandelaar"))
        return
    signals = await meldingen.open_signals_of_contact(
        turn.session, contact_id=turn.contact.contact_id
    )
    if not signals:
        turn.say(turn.t("behandelaar.geen_taken"))
        return
    rows = [
        {
            "referentie": s.reference,
            "thema": theme_label(turn.services, s.theme, turn.taal),
            "plek": place_of(s, turn.services),
            "termijn": say_date(s.deadline, turn.taal),
            "te_laat": s.deadline < turn.now,
        }
        for s in signals
    ]
    buttons = [
        [InlineKeyboardButton(s.reference, callback_data=f"s:{s.id}:show")] for s in signals[:20]
    ]
    turn.say(turn.t("behandelaar.taken", regels=rows), InlineKeyboardMarkup(buttons))


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
    turn.say(
        turn.t(
            "behandelaar.welkom",
            naam=contact.name,
            rol=contact.role.value.replace("_", " "),
            organisatie=contact.organisation,
        )
    )


async def _step(
    turn: Turn,
    signal: SignalRow,
    to: Status,
    note: str = "",
    *,
    contact_id: str | None = None,
    actor: str | None = None,
) -> AuditEventRow:
    who = actor or (turn.contact.contact_id if turn.contact else f"telegram:{turn.user.id}")
    event = await meldingen.change_status(
        turn.session, signal=signal, to=to, actor=who, at=turn.now, note=note, contact_id=contact_id
    )
    await planning.replan(turn.session, turn.services, signal, turn.now)
    await turn.session.flush()
    return event


def _refresh_card(turn: Turn, signal: SignalRow) -> None:
    query = turn.update.callback_query
    if query is not None and query.message is not None:
        text, markup = owner_card(turn.services, signal, turn.taal)
        turn.edit(query.message.message_id, text, markup)


def _drop_buttons(turn: Turn) -> None:
    query = turn.update.callback_query
    message = query.message if query else None
    if isinstance(message, Message) and message.text:
        turn.edit(message.message_id, message.text_html, None)


def _buttons(turn: Turn, signal: SignalRow, pairs: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(turn.label(name), callback_data=f"s:{signal.id}:{action}")
                for name, action in pairs
            ]
        ]
    )


def _raise(signal: SignalRow) -> None:
    raise TransitionNotAllowed(Status(signal.status), Status.AFGEHANDELD)


async def _set_pending(turn: Turn, pending: dict[str, Any]) -> None:
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    data = dict(draft.data) if draft else {}
    data["pending"] = pending
    await concepten.save_draft(
        turn.session,
        chat_id=turn.chat_id,
        user_id=turn.user.id,
        step=draft.step if draft else "idle",
        data=data,
        at=turn.now,
    )


async def _clear_pending(turn: Turn) -> None:
    draft = await concepten.load_draft(turn.session, chat_id=turn.chat_id)
    if draft is None:
        return
    data = dict(draft.data)
    data.pop("pending", None)
    if draft.step == "idle":
        await concepten.delete_draft(turn.session, chat_id=turn.chat_id)
    else:
        await concepten.save_draft(
            turn.session,
            chat_id=turn.chat_id,
            user_id=turn.user.id,
            step=draft.step,
            data=data,
            at=turn.now,
        )
