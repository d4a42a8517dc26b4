"""Digests for working groups: which period is due, compose it, queue it to linked groups."""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kern.chart import chart_png
from kern.services import Services
from opslag import contacten, outbox
from opslag import overzicht as store
from signalen.overzicht import HOTSPOT_DAYS, Digest, compute_digest
from signalen.werkdagen import AMSTERDAM

log = logging.getLogger(__name__)
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str  # 2026-W47 or 2026-11
    start: datetime
    end: datetime


def parse_period(label: str) -> Period:
    """Read "2026-W47" (ISO week) or "2026-11" (month) as local Amsterdam bounds."""
    if match := _WEEK.match(label):
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        return Period(label, _midnight(monday), _midnight(monday + timedelta(days=7)))
    if match := _MONTH.match(label):
        first = date(int(match.group(1)), int(match.group(2)), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Period(label, _midnight(first), _midnight(following))
    raise ValueError(f"period {label!r}: write 2026-W47 (a week) or 2026-11 (a month)")


def due_periods(now: datetime, weekly: str, monthly: bool) -> list[Period]:
    """The digests whose moment has come: last week's after the weekly time, last month's
    after the same time on the first of the month."""
    local = now.astimezone(AMSTERDAM)
    day, hhmm = weekly.split()
    at = time.fromisoformat(hhmm)
    monday = local.date() - timedelta(days=local.weekday())
    periods = []
    moment = datetime.combine(monday + timedelta(days=_DAYS.index(day)), at, tzinfo=AMSTERDAM)
    if local >= moment:
        year, week, _ = (monday - timedelta(days=7)).isocalendar()
        periods.append(parse_period(f"{year}-W{week:02d}"))
    if monthly:
        first = local.date().replace(day=1)
        if local >= datetime.combine(first, at, tzinfo=AMSTERDAM):
            previous = first - timedelta(days=1)
            periods.append(parse_period(f"{previous.year}-{previous.month:02d}"))
    return periods


async def compose(
    session: AsyncSession,
    services: Services,
    district: str,
    period: Period,
    taal: str = "nl",
    *,
    now: datetime | None = None,
) -> tuple[Digest, str, bytes]:
    """Compute the digest as it stands at `now` (default: the clock) and render it."""
    municipality = services.municipality
    end = min(period.end, max(now or services.clock(), period.start))
    facts = await store.digest_facts(
        session,
        district=district,
        # the period, and the 28 days before its end in which hotspots are looked for
        reported=(min(period.start, end - timedelta(days=HOTSPOT_DAYS)), end),
        closed_since=period.start,
        sensitive=[t.id for t in municipality.themes.values() if t.sensitive],
        role_of={c.id: c.role.value for c in municipality.contacts.values()},
    )
    digest = compute_digest(
        facts,
        district=district,
        period=period.label,
        start=period.start,
        end=end,
        calendar=municipality.calendar,
    )
    labels = {
        t.id: (t.label.en if taal == "en" else t.label.nl) for t in municipality.themes.values()
    }
    name = municipality.districts[district].name
    roles = {
        r: services.texts("knoppen.eigenaar", taal, rol=r, plek="").rsplit(" ", 1)[0]
        for r in {c.role.value for c in municipality.contacts.values()}
    }
    sensitive = [t.id for t in municipality.themes.values() if t.sensitive]
    extra = {
        "zonder_plek": await store.placeless_counts(
            session, since=period.start, until=end, sensitive=sensitive
        ),
        "omgeleid": await store.diverted_open(session, district=district),
    }
    text = services.texts(
        "overzicht.overzicht",
        taal,
        d=digest,
        wijk=name,
        periode=period.label,
        rollen=roles,
        thema=labels,
        extra=extra,
    )
    png = chart_png(digest, labels, f"{name} · {period.label}")
    return digest, text, png


async def send_due_digests(session: AsyncSession, services: Services, now: datetime) -> int:
    """Make and queue every due digest once (unique per district and period); returns how many."""
    settings = services.municipality.settings.digest
    made = 0
    for district in services.municipality.districts:
        groups = await contacten.groups_of_district(session, district=district)
        if not groups:
            continue
        for period in due_periods(now, settings.weekly, settings.monthly):
            if not await store.claim_digest(
                session, district=district, period=period.label, at=now
            ):
                continue
            await queue_digest(session, services, district, period, groups, now=now)
            made += 1
    return made


async def queue_digest(
    session: AsyncSession,
    services: Services,
    district: str,
    period: Period,
    groups: list[int],
    *,
    now: datetime | None = None,
) -> None:
    _, text, png = await compose(session, services, district, period, now=now)
    photo = base64.b64encode(png).decode()
    for chat in groups:
        key = f"digest:{district}:{period.label}:{chat}"
        await outbox.enqueue(
            session,
            dedupe_key=key,
            chat_id=chat,
            at=services.clock(),
            payload={"text": text, "parse_mode": "HTML"},
        )
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:chart",
            chat_id=chat,
            at=services.clock(),
            method="sendPhoto",
            payload={"photo_b64": photo, "caption": f"{district} {period.label}"},
        )
    log.info("digest %s %s queued for %d group(s)", district, period.label, len(groups))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)
