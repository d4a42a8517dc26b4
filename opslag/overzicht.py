"""Reading signals for digests and exports; claiming a digest once per district and period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from opslag.gedeeld import insert_ignore
from opslag.tabellen import DigestRow, SignalRow
from signalen.overzicht import SignalFacts

_FACT_COLUMNS = (
    "id, reference, theme, neighbourhood, street, lat, lon, status, contact_id, "
    "reported_at, deadline, deadline_days, closed_at, solved"
)
_FACT_CONDITIONS = (
    "reported_at >= {since}",
    "reported_at < {since} AND closed_at >= {since}",
    "reported_at < {since} AND closed_at IS NULL",
)


async def digest_facts(
    session: AsyncSession,
    *,
    district: str,
    since: datetime,
    sensitive: Iterable[str],
    role_of: dict[str, str],
) -> list[SignalFacts]:
    """Signals of a district that matter for a period starting at `since`: reported since,
    closed since, or still open. Three index range scans (district + reported_at/closed_at),
    read as plain driver rows: at a million signals per-row ORM work would cost more than
    the database does."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":  # text in UTC, as UtcDateTime stores it
        marks, bound = ("?", "?"), since.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    else:
        marks, bound = ("%(district)s", "%(since)s"), since  # type: ignore[assignment]
    sensitive = set(sensitive)
    facts: list[SignalFacts] = []
    for condition in _FACT_CONDITIONS:
        sql = (
            f"SELECT {_FACT_COLUMNS} FROM signal WHERE district = {marks[0]} AND "
            + condition.format(since=marks[1])
        )
        count = sql.count("?")
        params: Any = (
            (district, *[bound] * (count - 1))
            if connection.dialect.name == "sqlite"
            else {"district": district, "since": bound}
        )
        result = await connection.exec_driver_sql(sql, params)
        for (
            id_,
            reference,
            theme,
            neighbourhood,
            street,
            lat,
            lon,
            status,
            contact_id,
            reported_at,
            deadline,
            deadline_days,
            closed_at,
            solved,
        ) in result:
            facts.append(
                SignalFacts(
                    id=id_,
                    reference=reference,
                    theme=theme,
                    sensitive=theme in sensitive,
                    neighbourhood=neighbourhood,
                    street=street,
                    lat=lat,
                    lon=lon,
                    status=status,
                    owner_role=role_of.get(contact_id, "?"),
                    reported_at=_utc(reported_at),
                    deadline=_utc(deadline),
                    deadline_days=deadline_days,
                    closed_at=_utc(closed_at) if closed_at is not None else None,
                    solved=None if solved is None else bool(solved),
                )
            )
    return facts


def _utc(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite keeps text; we always store UTC
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
