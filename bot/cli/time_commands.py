"""`wijksignaal tick` and `digest`: the operator's handles on time and reporting.

`export` lives in bot/cli/export_command.py and reuses `run_with_services`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

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
    from kern.digests import compose_digest, parse_period, queue_digest, receives_digest
    from opslag import overzicht

    period = parse_period(period_label)

    async def work(services: Services) -> tuple[str, Path | None, int, int]:
        async with services.transaction() as session:
            links = await overzicht.linked_groups(session, district=district)
            # The scheduled digests' rule: no period that had ended before the group linked.
            groups = [chat for chat, since in links if receives_digest(period, since)]
            if send and groups:  # composed once, shown here and queued
                made = await queue_digest(session, services, district, period, groups)
            else:
                made = await compose_digest(session, services, district, period)
        text, png = made.text, made.png
        chart = None
        if png is not None:
            chart = Path(tempfile.gettempdir()) / f"wijksignaal-{district}-{period.label}.png"
            chart.write_bytes(png)
        return text, chart, len(groups), len(links) - len(groups)

    text, chart, groups, later = run_with_services(municipality, work)
    console.print(_plain(text))
    console.print(f"\nChart: {chart}" if chart else "\nNo chart: nothing new and nothing closed.")
    if send:
        console.print(
            f"Queued for {groups} linked group(s); the running bot sends it."
            if groups
            else "No group is linked to this district (/koppel); nothing sent."
        )
        if later:
            console.print(f"{later} group(s) linked after this period ended: not sent to them.")


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
