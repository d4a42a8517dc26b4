"""Reading signals for digests and exports; claiming a digest once per district and period;
which group chats get a district's digests, since when."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from opslag.gedeeld import insert_ignore
from opslag.tabellen import DigestRow, GroupLink, SignalRow
from signalen.overzicht import HOTSPOT_METRES, METRES_PER_DEGREE_LAT, SignalFacts

_FACT_NAMES = (
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
_FACT_COLUMNS = ", ".join(_FACT_NAMES)
_REPORTED_AT = _FACT_NAMES.index("reported_at")


async def digest_facts(
    session: AsyncSession,
    *,
    district: str,
    reported: tuple[datetime, datetime],
    closed_since: datetime,
    sensitive: Iterable[str],
    role_of: dict[str, str],
) -> list[SignalFacts]:
    """Signals of a district that a digest needs: reported in [reported), closed since
    `closed_since` (reported before that span), or still open.

    Three index range scans, each on one (district, column) index, so the planner cannot
    pick the other one (with both columns in one condition SQLite walked every older signal
    of the district). Read as plain driver rows, and rows already read are dropped before
    they are converted: at a million signals per-row work costs more than the database does.
    The cost follows the number of signals in the period, not the size of the table.
    """
    connection = await session.connection()
    sqlite = connection.dialect.name == "sqlite"
    since, until = reported
    scans = (
        ("reported_at >= {s} AND reported_at < {u}", False),
        ("closed_at >= {c}", True),
        ("closed_at IS NULL", True),
    )
    values: dict[str, Any] = {"d": district, "s": since, "u": until, "c": closed_since}
    if sqlite:  # UtcDateTime keeps UTC text, which sorts as the times do
        values = {k: _sqlite_text(v) if isinstance(v, datetime) else v for k, v in values.items()}
    bound = values["s"]
    sensitive = set(sensitive)
    facts: list[SignalFacts] = []
    for condition, drop_read in scans:
        condition = "district = {d} AND " + condition
        keys = [k for k in "dsuc" if "{" + k + "}" in condition]
        params: Any = tuple(values[k] for k in keys) if sqlite else values
        marks = {k: "?" if sqlite else f"%({k})s" for k in keys}
        sql = f"SELECT {_FACT_COLUMNS} FROM signal WHERE " + condition.format(**marks)
        result = await connection.exec_driver_sql(sql, params)
        facts.extend(
            _fact(row, sensitive, role_of)
            for row in result
            if not (drop_read and row[_REPORTED_AT] >= bound)
        )
    return facts


def _sqlite_text(at: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores for a UTC time."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def hotspot_candidates(
    session: AsyncSession,
    *,
    district: str,
    theme: str,
    street: str | None,
    lat: float | None,
    lon: float | None,
    since: datetime,
    role_of: dict[str, str],
) -> list[SignalFacts]:
    """Signals since `since` of one theme in a district that could share a hotspot with a
    signal at this street or location: on the same street, or within a box around the point
    a little wider than the hotspot radius. It reads the district's last 28 days on the
    (district, reported_at) index and returns a handful of rows, not the district's month."""
    near: list[Any] = []
    if street:
        near.append(func.lower(func.trim(col(SignalRow.street))) == street.strip().lower())
    if lat is not None and lon is not None:
        lat_margin = 1.5 * HOTSPOT_METRES / METRES_PER_DEGREE_LAT
        lon_margin = lat_margin / max(math.cos(math.radians(lat)), 0.01)
        near.append(
            and_(
                col(SignalRow.lat).between(lat - lat_margin, lat + lat_margin),
                col(SignalRow.lon).between(lon - lon_margin, lon + lon_margin),
            )
        )
    if not near:
        return []
    statement = select(*(getattr(SignalRow, name) for name in _FACT_NAMES)).where(
        col(SignalRow.district) == district,
        col(SignalRow.reported_at) >= since,
        col(SignalRow.theme) == theme,
        or_(*near),
    )
    return [_fact(row, set(), role_of) for row in await session.execute(statement)]


def _fact(row: Any, sensitive: set[str], role_of: dict[str, str]) -> SignalFacts:
    (
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
    ) = row
    return SignalFacts(
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


async def linked_groups(session: AsyncSession, *, district: str) -> list[tuple[int, datetime]]:
    """The group chats linked to a district, each with the moment it was linked."""
    statement = select(col(GroupLink.chat_id), col(GroupLink.linked_at)).where(
        col(GroupLink.district) == district
    )
    return [(chat, _utc(at)) for chat, at in (await session.execute(statement)).tuples()]


async def group_link(session: AsyncSession, *, chat_id: int) -> GroupLink | None:
    """The district link of a group chat, if it has one."""
    return await session.get(GroupLink, chat_id)


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


async def placeless_counts(
    session: AsyncSession, *, since: datetime, until: datetime, sensitive: Iterable[str]
) -> dict[str, int]:
    """Signals whose place is unknown (no district): new in [since, until) and open now, with
    care signals apart. Every district's working group sees these, as counts only."""
    care = list(sensitive) or [""]
    is_care = col(SignalRow.theme).in_(care)
    new = select(func.count(), func.count().filter(is_care)).where(
        col(SignalRow.district).is_(None),
        col(SignalRow.reported_at) >= since,
        col(SignalRow.reported_at) < until,
    )
    still_open = select(func.count(), func.count().filter(is_care)).where(
        col(SignalRow.district).is_(None), col(SignalRow.closed_at).is_(None)
    )
    new_all, new_care = (await session.execute(new)).one()
    open_all, open_care = (await session.execute(still_open)).one()
    return {"new": new_all, "open": open_all, "care_new": new_care, "care_open": open_care}


async def diverted_open(session: AsyncSession, *, district: str) -> int:
    """Open signals of a district that went to someone else because their contact is not on
    Telegram: the working group should get that contact linked."""
    statement = select(func.count()).where(
        col(SignalRow.district) == district,
        col(SignalRow.closed_at).is_(None),
        col(SignalRow.diverted_from).is_not(None),
    )
    return int((await session.execute(statement)).scalar_one())


async def period_incidents(
    session: AsyncSession, *, district: str, start: datetime, end: datetime, limit: int = 2000
) -> list[SignalRow]:
    """A district's signals reported or closed in [start, end), oldest first: what a
    regiegroep goes through ("elk incident … met de gekozen aanpak")."""
    in_period = and_(col(SignalRow.reported_at) >= start, col(SignalRow.reported_at) < end)
    closed_in_period = and_(col(SignalRow.closed_at) >= start, col(SignalRow.closed_at) < end)
    statement = (
        select(SignalRow)
        .where(col(SignalRow.district) == district, or_(in_period, closed_in_period))
        .order_by(col(SignalRow.reported_at), col(SignalRow.id))
        .limit(limit)
    )
    return list(await session.scalars(statement))
