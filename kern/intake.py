"""A finished report comes in (from any channel): route it to a reachable owner and store it.

One transaction stores the signal, the routing decision and why, its timers, and the notices
it causes (the owner's card, the core group's alert, a hotspot), so none exists without the
others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kern import planning
from kern.notices import AnyNotice, OwnerCard, ToContact, assignment
from kern.owners import first_reachable, line_of
from kern.services import Services
from opslag import meldingen
from opslag.tabellen import SignalRow
from regels.routering import ReportInput, route_report
from signalen.model import Place, Reporter, ReporterRole, Urgency


@dataclass(frozen=True)
class NewReport:
    """What a reporter gave us, from whichever channel."""

    description: str
    reported_at: datetime
    theme: str | None = None
    theme_suggested: bool = False
    street: str | None = None
    house_number: str | None = None
    neighbourhood: str | None = None
    lat: float | None = None
    lon: float | None = None
    urgency: Urgency = Urgency.NORMAAL
    role: ReporterRole = ReporterRole.BEWONER
    anonymous: bool = True
    name: str | None = None
    contact_detail: str | None = None
    telegram_user_id: int | None = None
    language: str = "nl"
    channel: str = "telegram"
    photos: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Submitted:
    signal: SignalRow
    notices: list[AnyNotice]


async def submit(session: AsyncSession, services: Services, report: NewReport) -> Submitted:
    """Route, store and plan a report; return the signal and the notices it causes."""
    municipality = services.municipality
    routed = route_report(
        municipality,
        ReportInput(
            reported_at=report.reported_at,
            text=report.description,
            theme=report.theme,
            street=report.street,
            house_number=report.house_number,
            neighbourhood=report.neighbourhood,
            lat=report.lat,
            lon=report.lon,
            urgency=report.urgency,
            reporter_role=report.role,
        ),
    )
    decision = routed.decision
    line = line_of(
        municipality,
        decision.contact_id,
        district=routed.place.district,
        theme=routed.theme,
        escalate_to=decision.escalation_contact_id.split(">")[0],
    )
    reached = await first_reachable(session, line)
    why = "fallback" if decision.fallback else "rule"
    signal = await meldingen.add_signal(
        session,
        theme=routed.theme,
        theme_suggested=report.theme_suggested,
        description=report.description,
        place=Place(
            street=report.street,
            house_number=report.house_number,
            neighbourhood=routed.place.neighbourhood,
            district=routed.place.district,
            lat=report.lat,
            lon=report.lon,
        ),
        urgency=report.urgency,
        reporter=Reporter(
            role=report.role,
            anonymous=report.anonymous,
            telegram_user_id=report.telegram_user_id,
            name=report.name,
            contact=report.contact_detail,
        ),
        routing=meldingen.Routing(
            contact_id=reached.contact_id,
            escalation_contact_id=decision.escalation_contact_id,
            rule_id=decision.rule_id,
            explanation=routed.explanation.reason,
            priority=decision.priority,
            # On the calendar of whoever really takes it (a 24/7 desk counts every hour).
            deadline=municipality.deadline(
                reached.contact_id,
                report.reported_at,
                decision.deadline_days,
                decision.deadline_hours,
            ),
            deadline_days=decision.deadline_days,
            deadline_hours=decision.deadline_hours,
        ),
        reported_at=report.reported_at,
        photos=report.photos,
        language=report.language,
        channel=report.channel,
    )
    signal.expected_at = signal.deadline
    signal.diverted_from = reached.diverted_from
    signal.assignment_note = assignment(
        "diverted" if reached.diverted_from else why, **{"from": reached.diverted_from}
    )
    await session.flush()
    assert signal.id is not None
    notices: list[AnyNotice] = [
        OwnerCard(f"s{signal.id}:new", ToContact(signal.contact_id), signal, "nieuw")
    ]
    await planning.replan(session, services, signal, report.reported_at)
    if planning.is_serious(services, signal, decision.alert):
        notices += planning.alert_core_group(services, signal)
    notices += await planning.hotspot_notice(session, services, signal)
    return Submitted(signal, notices)
