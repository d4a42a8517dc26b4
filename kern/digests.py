"""Digests for working groups: which period is due, compose it, queue it to linked groups."""

from __future__ import annotations

import base64
import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from kern.chart import ChartWords, chart_png
from kern.incidenten import incident_list
from kern.services import Services
from opslag import outbox
from opslag import overzicht as store
from signalen.overzicht import HOTSPOT_DAYS, UNKNOWN_THEME, Digest, compute_digest
from signalen.werkdagen import AMSTERDAM, WEEKDAYS

log = logging.getLogger(__name__)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# The digest's sentences exist in Dutch and English (kern/teksten/overzicht.j2); any other
# language reads the Dutch digest, with Dutch dates, until that file is translated.
DIGEST_LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Period:
    label: str  # 2026-W47 or 2026-11: the machine key (claims, dedupe keys, the CLI)
    start: datetime
    end: datetime

    @property
    def is_week(self) -> bool:
        return _WEEK.match(self.label) is not None


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


def week_of(moment: datetime) -> Period:
    """The local ISO week `moment` falls in."""
    year, week, _ = moment.astimezone(AMSTERDAM).date().isocalendar()
    return parse_period(f"{year}-W{week:02d}")


def digest_language(taal: str) -> str:
    return taal if taal in DIGEST_LANGUAGES else "nl"


def period_words(period: Period, taal: str) -> str:
    """The period as people say it: "week 48, 23–29 november", "week 49, 30 november –
    6 december", "week 53, 28 december 2026 – 3 januari 2027", "november 2026"."""
    locale = digest_language(taal)
    first, last = period.start.date(), (period.end - timedelta(days=1)).date()
    if not period.is_week:
        return format_date(first, "LLLL y", locale=locale)
    if first.year != last.year:
        span = f"{_day(first, 'd MMMM y', locale)} – {_day(last, 'd MMMM y', locale)}"
    elif first.month != last.month:
        span = f"{_day(first, 'd MMMM', locale)} – {_day(last, 'd MMMM', locale)}"
    else:
        span = f"{first.day}–{_day(last, 'd MMMM', locale)}"
    return f"week {first.isocalendar().week}, {span}"


def period_short(period: Period, taal: str) -> str:
    """The short name, "week 48" or "november 2026", for a sentence after the full one."""
    if period.is_week:
        return f"week {period.start.date().isocalendar().week}"
    return period_words(period, taal)


def receives_digest(period: Period, linked_at: datetime) -> bool:
    """Whether a group linked at `linked_at` gets the digest of `period`.

    A group gets the digest of every period that ended after it was linked, so also of the
    week (or month) in which it was linked. A working group that links its chat on a
    Wednesday expects its first digest the next Monday morning, about that week: waiting
    another week for "the first full week" would look like the link had failed, and the
    digest shows only what the district's working group may see anyway. Periods that had
    already ended when the group was linked are never sent: those are the stale digests a
    new group used to get straight after /koppel. (/overzicht shows the state right now.)
    """
    return period.end > linked_at


def due_periods(now: datetime, weekly: str, monthly: bool) -> list[Period]:
    """The digests whose moment has come: last week's after the weekly time, last month's
    after the same time on the first of the month."""
    local = now.astimezone(AMSTERDAM)
    day, hhmm = weekly.split()
    at = time.fromisoformat(hhmm)
    monday = local.date() - timedelta(days=local.weekday())
    periods = []
    moment = datetime.combine(monday + timedelta(days=WEEKDAYS.index(day)), at, tzinfo=AMSTERDAM)
    if local >= moment:
        year, week, _ = (monday - timedelta(days=7)).isocalendar()
        periods.append(parse_period(f"{year}-W{week:02d}"))
    if monthly:
        first = local.date().replace(day=1)
        if local >= datetime.combine(first, at, tzinfo=AMSTERDAM):
            previous = first - timedelta(days=1)
            periods.append(parse_period(f"{previous.year}-{previous.month:02d}"))
    return periods


@dataclass(frozen=True)
class Composed:
    """A rendered digest: the numbers, the message (HTML), the chart (None when quiet)."""

    digest: Digest
    text: str
    png: bytes | None
    caption: str  # under the chart: district and period
    title: str = ""  # above the chart: the caption, and the moment for a digest so far
    incidents: str | None = None  # digest.list_incidents: every incident, with its approach


async def compose_digest(
    session: AsyncSession,
    services: Services,
    district: str,
    period: Period,
    taal: str = "nl",
    *,
    now: datetime | None = None,
    so_far: bool = False,
) -> Composed:
    """Compute the digest as it stands at `now` (default: the clock) and render it; the
    chart is None for a quiet period (nothing new, nothing closed). With `so_far` the text
    says the period is not over and when this was made."""
    municipality = services.municipality
    taal = digest_language(taal)
    moment = now or services.clock()
    end = min(period.end, max(moment, period.start))
    sensitive = [t.id for t in municipality.themes.values() if t.sensitive]
    facts = await store.digest_facts(
        session,
        district=district,
        # the period, and the 28 days before its end in which hotspots are looked for
        reported=(min(period.start, end - timedelta(days=HOTSPOT_DAYS)), end),
        closed_since=period.start,
        sensitive=sensitive,
        role_of={c.id: c.role or "" for c in municipality.contacts.values()},
    )
    digest = compute_digest(
        facts,
        district=district,
        period=period.label,
        start=period.start,
        end=end,
        calendar=municipality.calendar,
    )
    labels = {t.id: t.label.get(taal) for t in municipality.themes.values()}
    labels.setdefault(UNKNOWN_THEME, services.texts.plain("overzicht.onbekend_thema", taal))
    name = municipality.districts[district].name
    words = period_words(period, taal)
    stand = _moment_words(moment, taal) if so_far else ""
    placeless = await store.placeless_counts(
        session, since=period.start, until=end, sensitive=sensitive
    )
    extra = {
        "zonder_plek": placeless,
        "omgeleid": await store.diverted_open(session, district=district),
    }
    caption = f"{name} · {words}"
    incidents = None
    if municipality.settings.digest.list_incidents:
        incidents = await incident_list(session, services, district, period.start, end, words, taal)
    # Quiet: nothing new and nothing closed here, nor new without a place (those every
    # group reads about): one line, no chart.
    if digest.quiet and not placeless["new"]:
        text = services.texts(
            "overzicht.rustig", taal, wijk=name, periode=words, stand=stand, open=digest.open
        )
        return Composed(digest, text, None, caption, incidents=incidents)
    roles = {r: municipality.role_label(r, taal) for r in municipality.roles}
    text = services.texts(
        "overzicht.overzicht",
        taal,
        d=digest,
        wijk=name,
        periode=words,
        periode_kort=period_short(period, taal),
        stand=stand,
        snel=_speed(digest, taal),
        rollen=roles,
        thema=labels,
        extra=extra,
    )
    chart_words = ChartWords(
        new=services.texts.plain("overzicht.grafiek_nieuw", taal),
        closed=services.texts.plain("overzicht.grafiek_afgehandeld", taal),
        axis=services.texts.plain("overzicht.grafiek_as", taal),
    )
    title = caption + (
        f"\n{services.texts.plain('overzicht.grafiek_stand', taal, stand=stand)}" if stand else ""
    )
    png = chart_png(digest, labels, title, chart_words)
    return Composed(digest, text, png, caption, title, incidents)


async def send_due_digests(session: AsyncSession, services: Services, now: datetime) -> int:
    """Make and queue every due digest once (unique per district and period); returns how many.

    Each period goes to the groups linked before it ended (`receives_digest`); a period no
    linked group should get is not made, nor claimed.
    """
    settings = services.municipality.settings.digest
    made = 0
    for district in services.municipality.districts:
        links = await store.linked_groups(session, district=district)
        if not links:
            continue
        for period in due_periods(now, settings.weekly, settings.monthly):
            groups = [chat for chat, since in links if receives_digest(period, since)]
            if not groups:
                continue
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
) -> Composed:
    """Queue a period's digest (Dutch) and its chart, if any, to these group chats."""
    made = await compose_digest(session, services, district, period, now=now)
    for chat in groups:
        await _enqueue(session, services, chat, f"digest:{district}:{period.label}:{chat}", made)
    log.info("digest %s %s queued for %d group(s)", district, period.label, len(groups))
    return made


async def queue_digest_now(
    session: AsyncSession,
    services: Services,
    district: str,
    chat: int,
    *,
    taal: str,
    now: datetime,
    key: str,
) -> Composed:
    """Queue the digest of the current week so far (/overzicht) to one chat only."""
    made = await compose_digest(
        session, services, district, week_of(now), taal, now=now, so_far=True
    )
    await _enqueue(session, services, chat, f"overzicht:{chat}:{key}", made)
    return made


async def _enqueue(
    session: AsyncSession, services: Services, chat: int, key: str, made: Composed
) -> None:
    """The message, then its chart, then the incident list: the outbox keeps a chat's order."""
    await outbox.enqueue(
        session,
        dedupe_key=key,
        chat_id=chat,
        at=services.clock(),
        payload={"text": made.text, "parse_mode": "HTML"},
    )
    if made.png is not None:
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:chart",
            chat_id=chat,
            at=services.clock(),
            method="sendPhoto",
            payload={"photo_b64": base64.b64encode(made.png).decode(), "caption": made.caption},
        )
    if made.incidents:
        await outbox.enqueue(
            session,
            dedupe_key=f"{key}:incidents",
            chat_id=chat,
            at=services.clock(),
            payload={"text": made.incidents, "parse_mode": "HTML"},
        )


def _speed(digest: Digest, taal: str) -> dict[str, object] | None:
    """How fast closed reports were closed, in words the template can use: half of them took
    at most `dagen` whole working days (the median, rounded up), against the agreed number."""
    if digest.median_days_to_close is None or digest.median_deadline_days is None:
        return None
    deadline = digest.median_deadline_days
    agreed = f"{deadline:g}" if taal == "en" else f"{deadline:g}".replace(".", ",")
    return {
        "dagen": math.ceil(digest.median_days_to_close),
        "afspraak": agreed,
        "op_tijd": round((digest.on_time_share or 0) * 100),
    }


def _moment_words(moment: datetime, taal: str) -> str:
    """The moment in words: "woensdag 25 november, 14:05" / "Wednesday 25 November, 14:05"."""
    local = moment.astimezone(AMSTERDAM)
    return f"{_day(local.date(), 'EEEE d MMMM', digest_language(taal))}, {local:%H:%M}"


def _day(day: date, pattern: str, locale: str) -> str:
    return format_date(day, pattern, locale=locale)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)
