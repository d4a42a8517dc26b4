"""Time that keeps its word: plan a signal's timers and act on them when they are due.

Reminders and escalation follow the owner's deadline; the reporter's promised date
(`expected_at`) is watched too: when it passes with the signal still open, the reporter hears
that it takes longer and gets a new date. No message states a date in the past.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kern.notices import (
    AnyNotice,
    Notice,
    OwnerCard,
    ToContact,
    ToReporter,
    Values,
    owner_choices,
    place_of,
    say_term,
    signal_owner_phrase,
    theme_label,
)
from kern.owners import first_reachable, line_of
from kern.services import Services
from kern.texts import say_date
from opslag import meldingen, overzicht, timers
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
    """Bring the signal's pending timers in line with the plan for its current state.

    Timers no longer in the plan are cancelled (and come back if the plan wants them again);
    timers that fired keep their key, so a reminder or escalation is never sent twice.
    """
    assert signal.id is not None
    plan = plan_timers(
        signal_id=signal.id,
        status=signal.status,
        deadline=signal.deadline,
        deadline_days=signal.deadline_days,
        deadline_hours=signal.deadline_hours,
        changed_at=signal.updated_at,
        escalated_at=signal.escalated_at,
        links_left=signal.escalation_contact_id.count(">") if signal.escalated_at else 0,
        calendar=services.municipality.calendar_for(signal.contact_id),
        reporter_calendar=services.municipality.calendar,
        policy=policy(services),
        expected_at=signal.expected_at,
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


def alert_core_group(services: Services, signal: SignalRow) -> list[AnyNotice]:
    """Tell the district's kerngroep at once. The description and address go only to members
    who may own signals (professionals); alert-only people (a chair, a street representative)
    and anyone hearing of a care signal get no personal detail."""
    municipality = services.municipality
    district = municipality.districts.get(signal.district or "")
    members = list(district.core_group if district else municipality.settings.coordinators)
    sensitive = municipality.themes[signal.theme].sensitive if signal.theme else False
    if not sensitive:  # a street representative never hears of a care signal in their street
        for extra in municipality.street_representatives(signal.district, signal.street):
            members += [extra] if extra not in members else []
    details = "" if sensitive else f"{signal.description} — {place_of(signal, services)}"
    buurt = _neighbourhood_name(services, signal)

    def values(taal: str) -> dict[str, object]:
        return {
            "referentie": signal.reference,
            "thema": theme_label(services, signal.theme, taal),
            "buurt": buurt,
            "eigenaar": signal_owner_phrase(services, signal, taal),
            "details": details,
        }

    def without_details(taal: str) -> dict[str, object]:
        return {**values(taal), "details": ""}

    log.info("serious incident %s: core group of %s alerted", signal.id, signal.district)
    return [
        Notice(
            f"s{signal.id}:alert:{member}",
            ToContact(member),
            "tijd.ernstig",
            values if municipality.can_own(member) else without_details,
        )
        for member in members
    ]


async def act_on_timer(
    session: AsyncSession, services: Services, timer: TimerRow, now: datetime
) -> list[AnyNotice]:
    """Perform one due timer; returns the notices; the caller marks it done."""
    if timer.cancelled:  # replanned away by an earlier timer of this tick (a moved promise)
        return []
    signal = await meldingen.get_signal(session, signal_id=timer.signal_id or 0, for_update=True)
    if signal is None or not still_relevant(timer.kind, signal.status):
        return []
    if timer.kind in ("reminder_before", "reminder_due"):
        if now - timer.due_at > STALE_REMINDER:
            log.info("timer %s: reminder for signal %s too late to help", timer.id, signal.id)
            return []  # after downtime a day-old reminder only adds noise; escalation still comes
        return _remind(signal, timer)
    if timer.kind == "escalation":
        return await _escalate(session, services, signal, timer, now)
    if timer.kind == "progress":
        return await _reassure(session, services, signal, timer, now)
    if timer.kind == "promise":
        return await keep_promise(session, services, signal, now, key=f"t{timer.id}")
    return []


def _remind(signal: SignalRow, timer: TimerRow) -> list[AnyNotice]:
    """Remind the owner, with the actions right under the reminder."""
    return [
        Notice(
            f"t{timer.id}:owner",
            ToContact(signal.contact_id),
            "tijd.herinnering",
            lambda taal: {
                "referentie": signal.reference,
                "wanneer": "before" if timer.kind == "reminder_before" else "due",
                "termijn": say_term(signal, taal),
            },
            owner_choices(signal),
            signal.id,
        )
    ]


async def _escalate(
    session: AsyncSession, services: Services, signal: SignalRow, timer: TimerRow, now: datetime
) -> list[AnyNotice]:
    """Ask the next one up to make sure it gets done; they get the whole card and may act.

    A chain ("a>b", from `escalate_to: [a, b]`) asks a first and, when it is still open after
    another term, b: the column keeps whoever was asked last, then the links still to come.
    """
    municipality = services.municipality
    chain = signal.escalation_contact_id.split(">")
    if signal.escalated_at is not None:  # asked before: the next link, if there is one
        chain = chain[1:]
        if not chain:
            return []
    group = municipality.group(signal.district, chain[0])
    if group is not None:
        return _escalate_to_group(session, services, signal, timer, now, group)
    line = line_of(municipality, chain[0], district=signal.district, theme=signal.theme)
    reached = await first_reachable(session, [c for c in line if c != signal.contact_id] or line)
    target = reached.contact_id
    signal.escalated_at = now
    signal.escalation_contact_id = ">".join([target, *chain[1:]])
    if len(chain) > 1:
        await replan(session, services, signal, now)  # the next link's timer
    meldingen.note_event(session, signal, at=now, actor="klok", note=f"geëscaleerd naar {target}")
    log.info("signal %s escalated to %s", signal.id, target)
    values = _overdue(services, signal)

    return [
        Notice(f"t{timer.id}:escalation", ToContact(target), "tijd.escalatie", values),
        OwnerCard(f"t{timer.id}:card", ToContact(target), signal, "geescaleerd"),
        Notice(
            f"t{timer.id}:owner",
            ToContact(signal.contact_id),
            "tijd.geescaleerd",
            lambda taal: {
                "referentie": signal.reference,
                "naar": municipality.contacts[target].name,
            },
        ),
    ]


def _overdue(services: Services, signal: SignalRow) -> Values:
    """What tijd.escalatie says of an overdue signal, in a language."""
    buurt = _neighbourhood_name(services, signal)
    return lambda taal: {
        "referentie": signal.reference,
        "buurt": buurt,
        "eigenaar": signal_owner_phrase(services, signal, taal),
        "termijn": say_term(signal, taal),
    }


def _escalate_to_group(
    session: AsyncSession,
    services: Services,
    signal: SignalRow,
    timer: TimerRow,
    now: datetime,
    group: list[str],
) -> list[AnyNotice]:
    """Escalation to a group of the district (Almelo's regiegroep, 3.4.2.2): every member hears
    that it is overdue and with whom; the owner keeps it (and the coordinators may act)."""
    municipality = services.municipality
    name = signal.escalation_contact_id
    district = municipality.districts[signal.district or ""].name
    signal.escalated_at = now
    meldingen.note_event(session, signal, at=now, actor="klok", note=f"geëscaleerd naar {name}")
    log.info("signal %s escalated to group %s of %s", signal.id, name, signal.district)
    values = _overdue(services, signal)

    told = [m for m in group if m != signal.contact_id]
    return [
        *(
            Notice(f"t{timer.id}:escalation:{m}", ToContact(m), "tijd.escalatie", values)
            for m in told
        ),
        Notice(
            f"t{timer.id}:owner",
            ToContact(signal.contact_id),
            "tijd.geescaleerd",
            lambda taal: {
                "referentie": signal.reference,
                "naar": f"{name.capitalize()} {district}",
            },
        ),
    ]


async def _reassure(
    session: AsyncSession, services: Services, signal: SignalRow, timer: TimerRow, now: datetime
) -> list[AnyNotice]:
    """After quiet days, tell the reporter it is still being handled and by when."""
    planned_for = (timer.data or {}).get("changed_at")
    if planned_for is None or datetime.fromisoformat(planned_for) != signal.updated_at:
        return []  # something happened since; the new plan has its own progress timer
    notices: list[AnyNotice] = []
    if signal.expected_at is None or signal.expected_at <= now:
        notices += await keep_promise(session, services, signal, now, key=f"t{timer.id}")
    else:
        assert signal.id is not None
        notices.append(
            Notice(
                f"t{timer.id}:reporter",
                ToReporter(signal.id),
                "terugkoppeling.voortgang",
                lambda taal: {
                    "referentie": signal.reference,
                    "eigenaar": signal_owner_phrase(services, signal, taal),
                    "datum": say_date(signal.expected_at or now, taal),
                },
            )
        )
    every = policy(services).progress_every_days
    # Counted from now when the tick came late (downtime): one message, not a burst catching up.
    await timers.schedule(
        session,
        key=f"{timer.key}+",
        kind="progress",
        due_at=services.municipality.calendar.deadline(max(timer.due_at, now), every),
        signal_id=signal.id,
        data=dict(timer.data),
    )
    return notices


async def keep_promise(
    session: AsyncSession, services: Services, signal: SignalRow, now: datetime, *, key: str
) -> list[AnyNotice]:
    """The promised date has come and the signal is still open: say so, with a new date."""
    signal.expected_at = services.municipality.deadline(
        signal.contact_id, now, max(1, signal.deadline_days), signal.deadline_hours
    )
    meldingen.note_event(session, signal, at=now, actor="klok", note="verwachte datum verschoven")
    await replan(session, services, signal, now)
    assert signal.id is not None
    expected = signal.expected_at
    return [
        Notice(
            f"{key}:later",
            ToReporter(signal.id),
            "terugkoppeling.duurt_langer",
            lambda taal: {
                "referentie": signal.reference,
                "eigenaar": signal_owner_phrase(services, signal, taal),
                "datum": say_date(expected, taal),
            },
        )
    ]


async def hotspot_notice(
    session: AsyncSession, services: Services, signal: SignalRow
) -> list[AnyNotice]:
    """When a new signal makes (or grows) a hotspot, tell its owner."""
    municipality = services.municipality
    if not signal.district or not signal.theme or municipality.themes[signal.theme].sensitive:
        return []
    now = signal.reported_at
    facts = await overzicht.hotspot_candidates(
        session,
        district=signal.district,
        theme=signal.theme,
        street=signal.street,
        lat=signal.lat,
        lon=signal.lon,
        since=now - timedelta(days=HOTSPOT_DAYS),
        role_of={c.id: c.role or "" for c in municipality.contacts.values()},
    )
    later = now + timedelta(seconds=1)
    hit = next((h for h in find_hotspots(facts, now=later) if h.latest_id == signal.id), None)
    if hit is None:
        return []
    return [
        Notice(
            f"s{signal.id}:hotspot",
            ToContact(signal.contact_id),
            "tijd.hotspot",
            lambda taal: {
                "referentie": signal.reference,
                "aantal": hit.count,
                "plek": hit.place,
                "thema": theme_label(services, signal.theme, taal),
            },
        )
    ]


def _neighbourhood_name(services: Services, signal: SignalRow) -> str:
    municipality = services.municipality
    if signal.neighbourhood:
        return municipality.neighbourhoods[signal.neighbourhood].name
    return municipality.name
