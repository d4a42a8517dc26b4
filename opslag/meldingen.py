"""Signals in the database: numbering, storing a routed report, status changes with audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from opslag.gedeeld import insert_ignore
from opslag.tabellen import AuditEventRow, ReferenceCounter, SignalPhotoRow, SignalRow
from signalen.model import Place, Reporter, Urgency, format_reference
from signalen.werkdagen import AMSTERDAM
from signalen.workflow import CLOSED_STATUSES, AuditEvent, Status, created, transition


@dataclass(frozen=True, slots=True)
class Routing:
    """The routing decision to store with a new signal."""

    contact_id: str
    escalation_contact_id: str
    rule_id: str
    explanation: str
    priority: Urgency
    deadline: datetime
    deadline_days: int = 0
    deadline_hours: int | None = None


async def next_reference(session: AsyncSession, *, at: datetime) -> tuple[int, int, str]:
    """Hand out the next reference of the (Amsterdam) year; safe with concurrent writers."""
    year = at.astimezone(AMSTERDAM).year
    await insert_ignore(session, ReferenceCounter, {"year": year, "last": 0})
    statement = (
        update(ReferenceCounter)
        .where(col(ReferenceCounter.year) == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(col(ReferenceCounter.last))
    )
    sequence = (await session.execute(statement)).scalar_one()
    return year, sequence, format_reference(year, sequence)


async def add_signal(
    session: AsyncSession,
    *,
    theme: str | None,
    theme_suggested: bool = False,
    description: str,
    place: Place,
    urgency: Urgency,
    reporter: Reporter,
    routing: Routing,
    reported_at: datetime,
    photos: list[str] | tuple[str, ...] = (),
    language: str = "nl",
    channel: str = "telegram",
) -> SignalRow:
    """Store a routed report with its first two audit events (gemeld, toegewezen)."""
    year, sequence, reference = await next_reference(session, at=reported_at)
    row = SignalRow(
        reference=reference,
        year=year,
        sequence=sequence,
        theme=theme,
        theme_suggested=theme_suggested,
        description=description,
        street=place.street,
        house_number=place.house_number,
        neighbourhood=place.neighbourhood,
        district=place.district,
        lat=place.lat,
        lon=place.lon,
        urgency=urgency.value,
        priority=routing.priority.value,
        status=Status.TOEGEWEZEN.value,
        channel=channel,
        reporter_role=reporter.role.value,
        reporter_anonymous=reporter.anonymous,
        reporter_telegram_id=reporter.telegram_user_id,
        reporter_name=None if reporter.anonymous else reporter.name,
        reporter_contact=None if reporter.anonymous else reporter.contact,
        reporter_language=language,
        contact_id=routing.contact_id,
        escalation_contact_id=routing.escalation_contact_id,
        rule_id=routing.rule_id,
        explanation=routing.explanation,
        reported_at=reported_at,
        deadline=routing.deadline,
        deadline_days=routing.deadline_days,
        deadline_hours=routing.deadline_hours,
        updated_at=reported_at,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    session.add_all(SignalPhotoRow(signal_id=row.id, file_id=file_id) for file_id in photos)
    actor = f"{reporter.role.value}:{reporter.telegram_user_id or 'anoniem'}"
    first = created(actor=actor, at=reported_at)
    routed = transition(
        Status.GEMELD,
        Status.TOEGEWEZEN,
        actor="regels",
        at=reported_at,
        note=f"{routing.rule_id} -> {routing.contact_id}",
    )
    for event in (first, routed):
        session.add(_audit_row(row.id, event))
    return row


async def change_status(
    session: AsyncSession,
    *,
    signal: SignalRow,
    to: Status,
    actor: str,
    at: datetime,
    note: str = "",
    contact_id: str | None = None,
) -> AuditEventRow:
    """Move a signal one step (raises TransitionNotAllowed) and record who, when and why."""
    event = transition(signal.status, to, actor=actor, at=at, note=note)
    signal.status = to.value
    signal.updated_at = at
    if contact_id is not None:
        signal.contact_id = contact_id
    if to in CLOSED_STATUSES:
        signal.closed_at = at
    elif to is Status.HEROPEND:
        signal.closed_at = None
    session.add(signal)
    assert signal.id is not None
    audit = _audit_row(signal.id, event)
    session.add(audit)
    return audit


async def get_signal(
    session: AsyncSession, *, signal_id: int, for_update: bool = False
) -> SignalRow | None:
    """Load a signal, locking its row on PostgreSQL when it is about to change."""
    statement = select(SignalRow).where(col(SignalRow.id) == signal_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).first()


async def get_signal_by_reference(session: AsyncSession, *, reference: str) -> SignalRow | None:
    statement = select(SignalRow).where(col(SignalRow.reference) == reference.strip().upper())
    return (await session.scalars(statement)).first()


async def signals_of_reporter(
    session: AsyncSession, *, telegram_user_id: int, limit: int = 20
) -> list[SignalRow]:
    statement = (
        select(SignalRow)
        .where(col(SignalRow.reporter_telegram_id) == telegram_user_id)
        .order_by(col(SignalRow.id).desc())
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def open_signals_of_contact(session: AsyncSession, *, contact_id: str) -> list[SignalRow]:
    """Open signals a contact owns, or that were escalated to them."""
    closed = [s.value for s in CLOSED_STATUSES]
    asked = col(SignalRow.escalation_contact_id)  # "a" or a chain "a>b": a was asked last
    escalated_to_me = ((asked == contact_id) | asked.startswith(f"{contact_id}>")) & col(
        SignalRow.escalated_at
    ).is_not(None)
    statement = (
        select(SignalRow)
        .where(
            (col(SignalRow.contact_id) == contact_id) | escalated_to_me,
            col(SignalRow.status).not_in(closed),
        )
        .order_by(col(SignalRow.deadline))
    )
    return list(await session.scalars(statement))


async def history(session: AsyncSession, *, signal_id: int) -> list[AuditEventRow]:
    statement = (
        select(AuditEventRow)
        .where(col(AuditEventRow.signal_id) == signal_id)
        .order_by(col(AuditEventRow.at), col(AuditEventRow.id))
    )
    return list(await session.scalars(statement))


async def photos(session: AsyncSession, *, signal_id: int) -> list[str]:
    statement = select(SignalPhotoRow.file_id).where(col(SignalPhotoRow.signal_id) == signal_id)
    return list(await session.scalars(statement))


def note_event(
    session: AsyncSession, signal: SignalRow, *, at: datetime, actor: str, note: str
) -> None:
    """Store a change to a signal that keeps its status, with an audit event saying what."""
    session.add(signal)
    session.add(
        AuditEventRow(
            signal_id=signal.id or 0,
            at=at,
            actor=actor,
            from_status=signal.status,
            to_status=signal.status,
            note=note,
        )
    )


def _audit_row(signal_id: int, event: AuditEvent) -> AuditEventRow:
    return AuditEventRow(
        signal_id=signal_id,
        at=event.at,
        actor=event.actor,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value,
        note=event.note,
    )


async def open_signals(session: AsyncSession, *, limit: int = 40) -> list[SignalRow]:
    """Every open signal, soonest deadline first (for coordinators)."""
    closed = [s.value for s in CLOSED_STATUSES]
    statement = (
        select(SignalRow)
        .where(col(SignalRow.status).not_in(closed))
        .order_by(col(SignalRow.deadline))
        .limit(limit)
    )
    return list(await session.scalars(statement))
