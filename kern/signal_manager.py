"""Every change to a signal goes through here: one function per action.

Each action checks the step against `signalen.workflow`, writes the audit event, bumps the
signal's version (so buttons of older messages stop working), replans its timers and returns
the notices it causes. Callers queue those notices in the same transaction.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kern import planning
from kern.buttons import SignalButton, encode
from kern.notices import (
    AnyNotice,
    Choice,
    Notice,
    OwnerCard,
    RetractCards,
    ToChat,
    ToContact,
    ToReporter,
    assignment,
    signal_owner_phrase,
)
from kern.owners import first_reachable, line_of
from kern.services import Services
from kern.texts import say_date
from opslag import contacten, meldingen
from opslag.tabellen import AuditEventRow, SignalRow
from signalen.workflow import CLOSED_STATUSES, Status, TransitionNotAllowed

log = logging.getLogger(__name__)

MAX_NOTE, MAX_REASON = 1000, 400


class SignalManager:
    """The use cases on stored signals, inside one transaction at one moment."""

    def __init__(self, services: Services, session: AsyncSession, now: datetime) -> None:
        self.services, self.session, self.now = services, session, now
        self.municipality = services.municipality

    async def get(self, signal_id: int, *, for_update: bool = True) -> SignalRow | None:
        return await meldingen.get_signal(self.session, signal_id=signal_id, for_update=for_update)

    def may_act(self, signal: SignalRow, contact_id: str | None) -> bool:
        """Only the owner, the contact it was escalated to, or a coordinator may act."""
        if contact_id is None:
            return False
        asked = signal.escalation_contact_id.split(">")[0]  # the one asked last in a chain
        escalated_to_me = signal.escalated_at is not None and asked == contact_id
        coordinators = self.municipality.settings.coordinators
        return contact_id == signal.contact_id or contact_id in coordinators or escalated_to_me

    def may_see(self, signal: SignalRow, contact_id: str | None, user_id: int | None) -> bool:
        """The reporter sees the history; whoever may act sees the whole card."""
        return signal.reporter_telegram_id == user_id or self.may_act(signal, contact_id)

    # -- owner actions ------------------------------------------------------------------------
    async def accept(
        self, signal: SignalRow, actor: str, *, keep: tuple[int, int] | None = None
    ) -> list[AnyNotice]:
        """The owner takes it on; the reporter hears who."""
        event, notices = await self._move(signal, Status.IN_BEHANDELING, actor, keep=keep)
        notices.append(
            self._to_reporter(
                signal,
                f"a{event.id}",
                "terugkoppeling.opgepakt",
                lambda taal: {"eigenaar": signal_owner_phrase(self.services, signal, taal)},
            )
        )
        return notices

    async def close(self, signal: SignalRow, actor: str, note: str) -> list[AnyNotice]:
        """Close with the owner's note; ask the reporter whether it is solved."""
        note = note.strip()[:MAX_NOTE]
        event, notices = await self._move(signal, Status.AFGEHANDELD, actor, note)
        assert signal.id is not None
        answers = (
            Choice("opgelost_ja", encode(SignalButton(signal.id, signal.version, "yes"))),
            Choice("opgelost_nee", encode(SignalButton(signal.id, signal.version, "no"))),
        )
        notices.append(
            Notice(
                key=f"a{event.id}:reporter",
                to=ToReporter(signal.id),
                template="terugkoppeling.afgehandeld",
                values=lambda taal: {"referentie": signal.reference, "toelichting": note},
                choices=(answers,),
            )
        )
        notices += await self._public_line(signal, event.id, note)
        return notices

    async def _public_line(
        self, signal: SignalRow, event_id: int | None, note: str
    ) -> list[AnyNotice]:
        """One anonymous line for the district's public channel, when it wants this theme:
        theme, street (no house number) and what was done; never a care signal."""
        municipality = self.municipality
        district = municipality.districts.get(signal.district or "")
        theme = municipality.themes.get(signal.theme or "")
        if district is None or theme is None:
            return []
        if not municipality.posts_publicly(district.id, theme.id):
            return []
        channels = await contacten.channels_of_district(self.session, district=district.id)
        # Only a street the municipality knows: what a reporter typed could name a person.
        gazetteer = municipality.gazetteer
        street = gazetteer.canonical_street(signal.street) if gazetteer and signal.street else None
        neighbourhood = municipality.neighbourhoods.get(signal.neighbourhood or "")
        where = street or (neighbourhood.name if neighbourhood else district.name)
        assert district.public_channel is not None
        note = public_note(note) if district.public_channel.with_note else ""
        return [
            Notice(
                key=f"a{event_id}:public:{chat}",
                to=ToChat(chat, "nl"),
                template="overzicht.publiek_afgehandeld",
                values=lambda taal: {"thema": theme.label.get(taal), "plek": where, "aanpak": note},
            )
            for chat in channels
        ]

    def handover_candidates(self, signal: SignalRow) -> list[str]:
        """Contacts covering the signal's neighbourhood (or the wijkmanagers), not the owner."""
        municipality = self.municipality
        covering = {
            c
            for (_, n), ids in municipality.coverage.items()
            if n == signal.neighbourhood
            for c in ids
        }
        if not covering:
            covering = {d.fallback_contact for d in municipality.districts.values()}
            covering |= {
                t.fallback_contact for t in municipality.themes.values() if t.fallback_contact
            }
        covering.discard(signal.contact_id)
        contacts = municipality.contacts
        return sorted(covering, key=lambda c: (contacts[c].role or "", c))

    def not_mine_target(self, signal: SignalRow) -> str:
        """ "Not mine" goes back to the district's wijkmanager (or the intake, or the desk)."""
        line = line_of(
            self.municipality, signal.contact_id, district=signal.district, theme=signal.theme
        )
        return next((c for c in line[1:]), self.municipality.settings.fallback_contact)

    async def hand_over(
        self, signal: SignalRow, actor: str, to: str, reason: str, *, not_mine: bool = False
    ) -> list[AnyNotice]:
        """Give the signal to another contact, with a reason and a fresh deadline.

        When that contact cannot be reached on Telegram, the next in line takes it, and the
        person handing over is told who really has it now.
        """
        reason = reason.strip()[:MAX_REASON]
        line = line_of(self.municipality, to, district=signal.district, theme=signal.theme)
        line = [c for c in line if c != signal.contact_id] or [to]
        reached = await first_reachable(self.session, line)
        previous = signal.contact_id
        signal.diverted_from = reached.diverted_from
        signal.assignment_note = assignment(
            "notmine" if not_mine else "handover",
            by=previous,
            reason=reason,
            **{"from": reached.diverted_from},
        )
        signal.escalated_at = None
        event, notices = await self._move(
            signal, Status.DOORGEZET, actor, reason, contact_id=reached.contact_id, renew=True
        )
        notices.append(
            OwnerCard(f"a{event.id}:owner", ToContact(signal.contact_id), signal, "doorgestuurd")
        )
        notices.append(
            self._to_reporter(
                signal,
                f"a{event.id}",
                "terugkoppeling.doorgestuurd",
                lambda taal: {
                    "eigenaar": signal_owner_phrase(self.services, signal, taal),
                    "datum": say_date(signal.expected_at or signal.deadline, taal),
                },
            )
        )
        if reached.diverted_from:
            log.info("signal %s: %s not linked; %s took it", signal.id, to, reached.contact_id)
        return notices

    # -- reporter actions ---------------------------------------------------------------------
    async def reopen(self, signal: SignalRow) -> list[AnyNotice]:
        """The reporter says it is not solved: open again, fresh deadline, owner told."""
        signal.solved = False
        event, notices = await self._move(
            signal, Status.HEROPEND, "melder", "opgelost: nee", renew=True
        )
        reached = await first_reachable(
            self.session,
            line_of(
                self.municipality, signal.contact_id, district=signal.district, theme=signal.theme
            ),
        )
        if reached.contact_id != signal.contact_id:
            signal.diverted_from = signal.contact_id
            signal.contact_id = reached.contact_id
            signal.assignment_note = assignment("diverted", **{"from": signal.diverted_from})
        notices.append(
            OwnerCard(f"a{event.id}:owner", ToContact(signal.contact_id), signal, "heropend")
        )
        return notices

    async def confirm_solved(self, signal: SignalRow) -> None:
        """The reporter says it is solved; nothing else changes."""
        if signal.status != Status.AFGEHANDELD:
            raise TransitionNotAllowed(Status(signal.status), Status.AFGEHANDELD)
        signal.solved = True
        # A change like any other: the "solved?" buttons stop working, so a double tap (or a
        # replayed press) is answered as stale instead of recording "opgelost: ja" twice.
        signal.version += 1
        meldingen.note_event(self.session, signal, at=self.now, actor="melder", note="opgelost: ja")

    # -- the one step every change takes ------------------------------------------------------
    async def _move(
        self,
        signal: SignalRow,
        to: Status,
        actor: str,
        note: str = "",
        *,
        contact_id: str | None = None,
        renew: bool = False,
        keep: tuple[int, int] | None = None,
    ) -> tuple[AuditEventRow, list[AnyNotice]]:
        """Check and record one step; new version, timers replanned, old cards retracted."""
        event = await meldingen.change_status(
            self.session,
            signal=signal,
            to=to,
            actor=actor,
            at=self.now,
            note=note,
            contact_id=contact_id,
        )
        signal.version += 1
        if renew:  # a new owner or a second chance gets a whole new term, and says so
            signal.deadline = self.municipality.deadline(
                signal.contact_id, self.now, signal.deadline_days, signal.deadline_hours
            )
            signal.expected_at = signal.deadline
        await planning.replan(self.session, self.services, signal, self.now)
        await self.session.flush()
        assert signal.id is not None
        notices: list[AnyNotice] = [RetractCards(f"a{event.id}", signal.id, keep)]
        return event, notices

    def _to_reporter(self, signal: SignalRow, key: str, template: str, values) -> Notice:  # type: ignore[no-untyped-def]
        assert signal.id is not None
        return Notice(
            key=f"{key}:reporter",
            to=ToReporter(signal.id),
            template=template,
            values=lambda taal: {"referentie": signal.reference, **values(taal)},
        )


def is_closed(signal: SignalRow) -> bool:
    return Status(signal.status) in CLOSED_STATUSES


_DIGITS = re.compile(r"\S*\d\S*")
_MAIL = re.compile(r"\S+@\S+")


def public_note(note: str) -> str:
    """An owner's note as it may go public: no house numbers, phone numbers, references or
    e-mail addresses (names the owner was asked to leave out)."""
    text = _DIGITS.sub("", _MAIL.sub("", note))
    return " ".join(text.split()).strip(" ,;:-")[:300]
