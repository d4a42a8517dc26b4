"""Time at the edge: plan a signal's timers, alert the core group, and act on due timers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kern.notices import owner_buttons, owner_phrase, place_of, tell_reporter, theme_label
from kern.services import Services
from kern.texts import say_date
from opslag import contacten, meldingen, outbox, overzicht, timers
from opslag.tabellen import SignalRow, TimerRow
from signalen.model import Urgency
from signalen.overzicht import HOTSPOT_DAYS, find_hotspots
from signalen.tijdbeleid import TimePolicy, plan_timers, still_relevant

log = logging.getLogger(__name__)
STALE_REMINDER = timedelta(hours=12)


def policy(services: Services) -> TimePolicy:
    return TimePolicy(**services.municipality.settings.timing.model_dump())


async def replan(
    session: AsyncSession, services: Services, signal: SignalRow, at: datetime
) -> None:
    """Bring the signal's pending timers in line with the plan for its current status.

    Timers no longer in the plan are cancelled; timers already fired keep their key, so a
    reminder or escalation is never sent twice, also not after a reopen.
    """
    assert signal.id is not None
    plan = plan_timers(
        signal_id=signal.id,
        status=signal.status,
        deadline=signal.deadline,
        deadline_days=signal.deadline_days,
        changed_at=signal.updated_at,
        calendar=services.municipality.calendar,
        policy=policy(services),
    )
    wanted = {p.key for p in plan}
    for pending in await timers.pending_for_signal(session, signal_id=signal.id):
        if pending.key not in wanted:
            timers.cancel(pending, at=at)
    changed = {"changed_at": signal.updated_at.isoformat()}
    for planned in plan:
        await timers.schedule(
            session,
            key=planned.key,
            kind=planned.kind,
            due_at=planned.due_at,
            signal_id=signal.id,
            data=changed,
        )


def is_serious(services: Services, signal: SignalRow, rule_alert: bool) -> bool:
    """A rule marked `alert`, or an urgent report on an alert theme (veiligheid, zorg)."""
    alert_themes = services.municipality.alert_themes
    return rule_alert or (signal.urgency == Urgency.HOOG and signal.theme in alert_themes)


async def alert_core_group(session: AsyncSession, services: Services, signal: SignalRow) -> None:
    """Tell the district's kerngroep at once; care signals without any personal detail."""
    municipality = services.municipality
    district = municipality.districts.get(signal.district or "")
    members = district.core_group if district else municipality.settings.coordinators
    sensitive = municipality.themes[signal.theme].sensitive if signal.theme else False
    for contact_id in members:
        registration = await contacten.registration(session, contact_id=contact_id)
        if registration is None:
            continue
        taal = registration.language
        details = "" if sensitive else f"{signal.description} — {place_of(signal, services)}"
        buurt = (
            municipality.neighbourhoods[signal.neighbourhood].name
            if signal.neighbourhood
            else municipality.name
        )
        text = services.texts(
            "tijd.ernstig",
            taal,
            referentie=signal.reference,
            thema=theme_label(services, signal.theme, taal),
            buurt=buurt,
            eigenaar=owner_phrase(services, signal, taal),
            details=details,
        )
        await outbox.enqueue(
            session,
            dedupe_key=f"s{signal.id}:alert:{contact_id}",
            chat_id=registration.chat_id,
            at=services.clock(),
            payload={"text": text, "parse_mode": "HTML"},
        )
    log.info("serious incident %s: core group of %s alerted", signal.id, signal.district)


async def act_on_timer(
    session: AsyncSession, services: Services, timer: TimerRow, now: datetime
) -> None:
    """Perform one due timer by queueing its messages; the caller marks it done."""
    signal = await meldingen.get_signal(session, signal_id=timer.signal_id or 0, for_update=True)
    if signal is None or not still_relevant(timer.kind, signal.status):
        return
    if timer.kind in ("reminder_before", "reminder_due"):
        if now - timer.due_at > STALE_REMINDER:
            log.info(
                "timer %s: reminder for signal %s too late to help; skipped", timer.id, signal.id
            )
            return  # after downtime a day-old reminder only adds noise; escalation still comes
        await _remind(session, services, signal, timer)
    elif timer.kind == "escalation":
        await _escalate(session, services, signal, timer, now)
    elif timer.kind == "progress":
        await _reassure(session, services, signal, timer)


async def _remind(
    session: AsyncSession, services: Services, signal: SignalRow, timer: TimerRow
) -> None:
    registration = await contacten.registration(session, contact_id=signal.contact_id)
    if registration is None:
        return
    taal = registration.language
    text = services.texts(
        "tijd.herinnering",
        taal,
        referentie=signal.reference,
        wanneer="before" if timer.kind == "reminder_before" else "due",
        termijn=say_date(signal.deadline, taal),
    )
    payload: dict[str, object] = {"text": text, "parse_mode": "HTML"}
    buttons = owner_buttons(services, signal, taal)  # act straight from the reminder
    if buttons is not None:
        payload["reply_markup"] = buttons.to_dict()
    await outbox.enqueue(
        session,
        dedupe_key=f"t{timer.id}:owner",
        chat_id=registration.chat_id,
        at=services.clock(),
        payload=payload,
    )


async def _escalate(
    session: AsyncSession, services: Services, signal: SignalRow, timer: TimerRow, now: datetime
) -> None:
    municipality = services.municipality
    target = signal.escalation_contact_id
    if target == signal.contact_id:
        target = municipality.settings.fallback_contact
    signal.escalated_at = now
    signal.escalation_contact_id = target
    meldingen.note_event(session, signal, at=now, actor="klok", note=f"geëscaleerd naar {target}")
    buurt = (
        municipality.neighbourhoods[signal.neighbourhood].name
        if signal.neighbourhood
        else municipality.name
    )
    manager = await contacten.registration(session, contact_id=target)
    if manager is not None:
        taal = manager.language
        text = services.texts(
            "tijd.escalatie",
            taal,
            referentie=signal.reference,
            buurt=buurt,
            eigenaar=owner_phrase(services, signal, taal),
            termijn=say_date(signal.deadline, taal),
        )
        await outbox.enqueue(
            session,
            dedupe_key=f"t{timer.id}:escalation",
            at=services.clock(),
            chat_id=manager.chat_id,
            payload={"text": text, "parse_mode": "HTML"},
        )
    owner = await contacten.registration(session, contact_id=signal.contact_id)
    if owner is not None:
        text = services.texts(
            "tijd.geescaleerd",
            owner.language,
            referentie=signal.reference,
            naar=municipality.contacts[target].name,
        )
        await outbox.enqueue(
            session,
            dedupe_key=f"t{timer.id}:owner",
            chat_id=owner.chat_id,
            at=services.clock(),
            payload={"text": text, "parse_mode": "HTML"},
        )
    log.info("signal %s escalated to %s", signal.id, target)


async def _reassure(
    session: AsyncSession, services: Services, signal: SignalRow, timer: TimerRow
) -> None:
    planned_for = (timer.data or {}).get("changed_at")
    if planned_for is None or datetime.fromisoformat(planned_for) != signal.updated_at:
        return  # something happened since; the new plan has its own progress timer
    taal = signal.reporter_language
    await tell_reporter(
        session,
        services,
        signal,
        key=f"t{timer.id}",
        template="tijd.voortgang",
        eigenaar=owner_phrase(services, signal, taal),
        datum=say_date(signal.deadline, taal),
    )
    every = policy(services).progress_every_days
    next_at = services.municipality.calendar.deadline(timer.due_at, every)
    await timers.schedule(
        session,
        key=f"{timer.key}+",
        kind="progress",
        due_at=next_at,
        signal_id=signal.id,
        data=dict(timer.data),
    )


async def notify_hotspot(session: AsyncSession, services: Services, signal: SignalRow) -> None:
    """When a new signal makes (or grows) a hotspot, tell its owner."""
    if (
        not signal.district
        or not signal.theme
        or services.municipality.themes[signal.theme].sensitive
    ):
        return
    now = signal.reported_at
    municipality = services.municipality
    facts = await overzicht.hotspot_candidates(
        session,
        district=signal.district,
        theme=signal.theme,
        street=signal.street,
        lat=signal.lat,
        lon=signal.lon,
        since=now - timedelta(days=HOTSPOT_DAYS),
        role_of={c.id: c.role.value for c in municipality.contacts.values()},
    )
    hit = next(
        (
            h
            for h in find_hotspots(facts, now=now + timedelta(seconds=1))
            if h.latest_id == signal.id
        ),
        None,
    )
    registration = await contacten.registration(session, contact_id=signal.contact_id)
    if hit is None or registration is None:
        return
    taal = registration.language
    text = services.texts(
        "tijd.hotspot",
        taal,
        referentie=signal.reference,
        aantal=hit.count,
        plek=hit.place,
        thema=theme_label(services, signal.theme, taal),
    )
    await outbox.enqueue(
        session,
        dedupe_key=f"s{signal.id}:hotspot",
        chat_id=registration.chat_id,
        at=services.clock(),
        payload={"text": text, "parse_mode": "HTML"},
    )
