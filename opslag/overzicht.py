"""Reading signals for digests and exports; claiming a digest once per district and period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from opslag.gedeeld import insert_ignore
from opslag.tabellen import DigestRow, SignalRow
from signalen.overzicht import SignalFacts

_COLUMNS: tuple[Any, ...] = tuple(
    col(getattr(SignalRow, name))
    for name in (
        "id",
        "reference",
        "theme",
        "neighbourhood",
        "street",
        "lat",
        "lon",
        "status",
        "contact_id",
        "reported_at",
        "deadline",
        "deadline_days",
        "closed_at",
        "solved",
    )
)


async def digest_facts(
    session: AsyncSession,
    *,
    district: str,
    since: datetime,
    sensitive: Iterable[str],
    role_of: dict[str, str],
) -> list[SignalFacts]:
    """Signals of a district that matter for a period starting at `since` (incl. 28 days back
    for hotspots, and everything still open)."""
    # Three index range scans instead of one OR that would read the whole district.
    in_district = col(SignalRow.district) == district
    wanted = (
        col(SignalRow.reported_at) >= since,
        col(SignalRow.closed_at) >= since,
        col(SignalRow.closed_at).is_(None),
    )
    rows: dict[int, Any] = {}
    for condition in wanted:
        for row in await session.execute(select(*_COLUMNS).where(in_district, condition)):
            rows[row.id] = row
    sensitive = set(sensitive)
    return [
        SignalFacts(
            id=r.id,
            reference=r.reference,
            theme=r.theme,
            sensitive=r.theme in sensitive,
            neighbourhood=r.neighbourhood,
            street=r.street,
            lat=r.lat,
            lon=r.lon,
            status=r.status,
            owner_role=role_of.get(r.contact_id, "?"),
            reported_at=r.reported_at,
            deadline=r.deadline,
            deadline_days=r.deadline_days,
            closed_at=r.closed_at,
            solved=r.solved,
        )
        for r in rows.values()
    ]


async def claim_digest(session: AsyncSession, *, district: str, period: str, at: datetime) -> bool:
    """Record that this digest is being made; False when another worker made it already."""
    existing = await session.scalar(
        select(col(DigestRow.id)).where(
            col(DigestRow.district) == district, col(DigestRow.period) == period
        )
    )
    if existing is not None:
        return False
    return await insert_ignore(
        session, DigestRow, {"district": district, "period": period, "made_at": at}
    )


async def export_rows(
    session: AsyncSession, *, district: str, start: datetime, end: datetime
) -> list[SignalRow]:
    statement = (
        select(SignalRow)
        .where(
            col(SignalRow.district) == district,
            col(SignalRow.reported_at) >= start,
            col(SignalRow.reported_at) < end,
        )
        .order_by(col(SignalRow.reported_at))
    )
    return list(await session.scalars(statement))
