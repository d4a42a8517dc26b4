"""`wijksignaal tick`, `digest` and `export`: the operator's handles on time and reporting."""

from __future__ import annotations

import asyncio
import csv
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from bot.settings import Settings
from kern.services import Services
from kern.texts import Texts
from opslag.database import make_engine, make_sessions, upgrade
from regels.gemeente import Municipality
from signalen.werkdagen import AMSTERDAM

T = TypeVar("T")


def run_with_services(municipality: Municipality, work: Callable[[Services], Awaitable[T]]) -> T:
    """Open the configured database (migrated), build the services and run `work`.

    The services keep the real clock even when a command acts "as if" at another time:
    what is decided uses that time, but what it queues is due now, so a chat's queue never
    waits behind a message stamped in the future.
    """
    settings = Settings()

    async def go() -> T:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            services = Services(
                municipality=municipality,
                sessions=make_sessions(engine),
                texts=Texts(),
                clock=_utc_now,
            )
            return await work(services)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def tick_command(municipality: Municipality, console: Console, now_text: str | None) -> None:
    from kern.ticker import tick

    now = _parse_now(now_text)
    report = run_with_services(municipality, lambda s: tick(s, now or s.clock()))
    console.print(
        f"Tick at {(now or datetime.now(UTC)).astimezone(AMSTERDAM):%Y-%m-%d %H:%M}: "
        f"{report.timers} timer(s) done, {report.digests} digest(s) queued, "
        f"{report.anonymised} reporter(s) anonymised, {report.care_removed} care "
        "signal(s) cleared. Queued messages go out with the running bot."
    )


def digest_command(
    municipality: Municipality, console: Console, district: str, period_label: str, send: bool
) -> None:
    from kern.digests import compose, parse_period, queue_digest
    from opslag import contacten

    period = parse_period(period_label)

    async def work(services: Services) -> tuple[str, Path, int]:
        async with services.transaction() as session:
            _, text, png = await compose(session, services, district, period)
            groups = await contacten.groups_of_district(session, district=district)
            if send and groups:
                await queue_digest(session, services, district, period, groups)
        chart = Path(tempfile.gettempdir()) / f"wijksignaal-{district}-{period.label}.png"
        chart.write_bytes(png)
        return text, chart, len(groups)

    text, chart, groups = run_with_services(municipality, work)
    console.print(_plain(text))
    console.print(f"\nChart: {chart}")
    if send:
        console.print(
            f"Queued for {groups} linked group(s); the running bot sends it."
            if groups
            else "No group is linked to this district (/koppel); nothing sent."
        )


EXPORT_FIELDS = [
    "reference",
    "reported_at",
    "theme",
    "neighbourhood",
    "street",
    "urgency",
    "priority",
    "status",
    "owner_role",
    "rule",
    "deadline",
    "closed_at",
    "on_time",
    "solved",
]


def export_command(municipality: Municipality, district: str, start: date, end: date) -> None:
    """Write CSV to stdout: no reporter data; care signals without street or description."""
    from opslag.overzicht import export_rows

    begin = datetime.combine(start, time(0), tzinfo=AMSTERDAM)
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=AMSTERDAM)

    async def work(services: Services) -> list[Any]:
        async with services.sessions() as session:
            return await export_rows(session, district=district, start=begin, end=finish)

    rows = run_with_services(municipality, work)
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for s in rows:
        sensitive = bool(s.theme and municipality.themes[s.theme].sensitive)
        writer.writerow(
            {
                "reference": s.reference,
                "reported_at": s.reported_at.astimezone(AMSTERDAM).isoformat(),
                "theme": s.theme or "",
                "neighbourhood": s.neighbourhood or "",
                "street": "" if sensitive else (s.street or ""),
                "urgency": s.urgency,
                "priority": s.priority,
                "status": s.status,
                "owner_role": municipality.contacts[s.contact_id].role.value,
                "rule": s.rule_id,
                "deadline": s.deadline.astimezone(AMSTERDAM).isoformat(),
                "closed_at": s.closed_at.astimezone(AMSTERDAM).isoformat() if s.closed_at else "",
                "on_time": ""
                if s.closed_at is None
                else ("ja" if s.closed_at <= s.deadline else "nee"),
                "solved": {True: "ja", False: "nee", None: ""}[s.solved],
            }
        )


DistrictArg = Annotated[str, typer.Option("--district", help="District id.")]


def _parse_now(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise typer.BadParameter("--now needs a timezone, e.g. 2026-11-30T08:45:00+01:00")
    return moment


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _plain(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))
