"""Send a finished report: store and route it in the update's transaction, plan its timers,
and queue the notices it causes (owner, core group, hotspot)."""

from __future__ import annotations

from typing import Any

from bot.chat.turn import Turn
from kern import planning
from kern.notices import notify_owner, owner_phrase
from kern.texts import say_date
from opslag import concepten, meldingen
from regels.routering import ReportInput, route_report
from signalen.model import Place, Reporter, ReporterRole, Urgency


async def submit(turn: Turn, data: dict[str, Any]) -> None:
    """Store and route the report in this transaction; queue the reporter's and owner's notices."""
    services = turn.services
    role = ReporterRole(data["role"])
    report = ReportInput(
        reported_at=turn.now,
        text=data["description"],
        theme=data.get("theme"),
        street=data.get("street"),
        house_number=data.get("house_number"),
        neighbourhood=data.get("neighbourhood"),
        lat=data.get("lat"),
        lon=data.get("lon"),
        urgency=Urgency(data.get("urgency", "normaal")),
        reporter_role=role,
    )
    routed = route_report(services.municipality, report)
    anonymous = data.get("anonymous", True)
    name = data.get("name")
    if role is ReporterRole.PROFESSIONAL and turn.contact is not None:
        name = services.municipality.contacts[turn.contact.contact_id].name
    signal = await meldingen.add_signal(
        turn.session,
        theme=routed.theme,
        theme_suggested=bool(data.get("theme_suggested")),
        description=data["description"],
        place=Place(
            street=data.get("street"),
            house_number=data.get("house_number"),
            neighbourhood=routed.place.neighbourhood,
            district=routed.place.district,
            lat=data.get("lat"),
            lon=data.get("lon"),
        ),
        urgency=report.urgency,
        reporter=Reporter(
            role=role,
            anonymous=anonymous,
            telegram_user_id=turn.user.id,
            name=name,
            contact=data.get("contact_detail"),
        ),
        routing=meldingen.Routing(
            contact_id=routed.decision.contact_id,
            escalation_contact_id=routed.decision.escalation_contact_id,
            rule_id=routed.decision.rule_id,
            explanation=routed.explanation.reason,
            priority=routed.decision.priority,
            deadline=routed.deadline,
            deadline_days=routed.decision.deadline_days,
        ),
        reported_at=turn.now,
        photos=data.get("photos", []),
        language=turn.taal,
    )
    await turn.session.flush()
    await concepten.delete_draft(turn.session, chat_id=turn.chat_id)
    owner = owner_phrase(services, signal, turn.taal)
    turn.say(
        turn.t(
            "melden.ontvangen",
            referentie=signal.reference,
            eigenaar=owner,
            datum=say_date(signal.deadline, turn.taal),
        )
    )
    await notify_owner(turn.session, services, signal, key=f"s{signal.id}:new", headline="nieuw")
    await planning.replan(turn.session, services, signal, turn.now)
    if planning.is_serious(services, signal, routed.decision.alert):
        await planning.alert_core_group(turn.session, services, signal)
    await planning.notify_hotspot(turn.session, services, signal)
