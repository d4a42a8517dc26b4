"""The ticker: the scheduler only wakes the worker; what is due lives in the database.

A tick claims due timers (FOR UPDATE SKIP LOCKED on PostgreSQL), queues their messages and
marks them done in one transaction; makes due digests once per district and period; and
applies the retention periods. Several workers may tick at once without sending twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from kern.digests import send_due_digests
from kern.notices import queue_notices
from kern.planning import act_on_timer
from kern.services import Services
from opslag import meldingen, timers
from opslag.tabellen import SignalPhotoRow, SignalRow
from signalen.werkdagen import AMSTERDAM

log = logging.getLogger(__name__)

RETENTION = "bewaartermijn"  # the actor of retention's audit events
QUIET_FROM, QUIET_UNTIL = time(2, 0), time(3, 0)  # the DST hour: clocks jump or repeat
RETENTION_EVERY = timedelta(minutes=10)


@dataclass
class TickReport:
    timers: int = 0
    digests: int = 0
    anonymised: int = 0
    care_removed: int = 0


def in_quiet_hour(now: datetime) -> bool:
    return QUIET_FROM <= now.astimezone(AMSTERDAM).time() < QUIET_UNTIL


async def tick(services: Services, now: datetime, *, batch: int = 200) -> TickReport:
    """Do everything due at `now` once."""
    report = TickReport()
    while True:
        async with services.transaction() as session:
            due = await timers.claim_due(session, now=now, limit=batch)
            for timer in due:
                notices = await act_on_timer(session, services, timer, now)
                await queue_notices(session, services, notices)
                timers.mark_done(timer, at=now)
            queued = session.info.pop("outbox_queued", False)
        report.timers += len(due)
        if queued:
            services.outbox_ready.set()
        if len(due) < batch:
            break
    async with services.transaction() as session:
        report.digests = await send_due_digests(session, services, now)
    if report.digests:
        services.outbox_ready.set()
    if services.retention_due is None or now >= services.retention_due:
        report.anonymised, report.care_removed = await apply_retention(services, now)
        services.retention_due = now + RETENTION_EVERY
    return report


async def apply_retention(services: Services, now: datetime) -> tuple[int, int]:
    """Anonymise reporters and remove care details once their periods after closing have passed."""
    settings = services.municipality.settings.retention
    care = [t.id for t in services.municipality.themes.values() if t.sensitive]
    async with services.transaction() as session:
        cutoff = now - timedelta(days=settings.reporter_days)
        stale = select(SignalRow).where(
            col(SignalRow.closed_at) < cutoff,
            (col(SignalRow.reporter_telegram_id).is_not(None))
            | (col(SignalRow.reporter_name).is_not(None))
            | (col(SignalRow.reporter_contact).is_not(None)),
        )
        anonymised = 0
        for signal in await session.scalars(stale.limit(1000)):
            signal.reporter_telegram_id = None
            signal.reporter_name = None
            signal.reporter_contact = None
            signal.reporter_anonymous = True
            meldingen.note_event(
                session,
                signal,
                at=now,
                actor=RETENTION,
                note="melder geanonimiseerd (bewaartermijn)",
            )
            anonymised += 1
        care_cutoff = now - timedelta(days=settings.care_days)
        old_care = select(SignalRow).where(
            col(SignalRow.theme).in_(care),
            col(SignalRow.closed_at) < care_cutoff,
            col(SignalRow.description).is_not(None),
        )
        removed = 0
        for signal in await session.scalars(old_care.limit(1000)):
            signal.description = None
            signal.street = signal.house_number = None
            signal.lat = signal.lon = None
            await session.execute(
                delete(SignalPhotoRow).where(col(SignalPhotoRow.signal_id) == signal.id)
            )
            meldingen.note_event(
                session,
                signal,
                at=now,
                actor=RETENTION,
                note="zorgdetails verwijderd (bewaartermijn)",
            )
            removed += 1
    if anonymised or removed:
        log.info("retention: %d reporters anonymised, %d care signals cleared", anonymised, removed)
    return anonymised, removed
