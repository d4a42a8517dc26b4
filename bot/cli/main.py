"""The `wijksignaal` command: rules, routing, database."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.cli.routing_output import parse_time, print_explanation, route_lines
from bot.cli.serve_command import serve_command
from bot.cli.theme_commands import themes_app
from bot.logs import configure_logging
from bot.settings import Settings
from regels.fouten import ConfigError, ConfigInvalid, did_you_mean
from regels.gemeente import Municipality
from regels.laden import load_municipality
from regels.routering import InvalidReport, ReportInput, route_report
from regels.schema import Contact
from signalen.model import ReporterRole, Urgency
from signalen.werkdagen import AMSTERDAM

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

app = typer.Typer(
    help="Wijksignaal: neighbourhood reports with one owner each.", no_args_is_help=True
)
rules_app = typer.Typer(
    help="Check and explain a municipality's routing rules.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
contacts_app = typer.Typer(
    help="Link professionals' Telegram accounts and see who is linked.", no_args_is_help=True
)
groups_app = typer.Typer(help="Link working-group chats to districts.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(db_app, name="db")
app.add_typer(contacts_app, name="contacts")
app.add_typer(groups_app, name="groups")
app.add_typer(themes_app, name="themes")
app.command("serve")(serve_command)

console = Console()
errors = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="WIJKSIGNAAL_CONFIG",
        help="Municipality config directory (default: the bundled Deventer example).",
        file_okay=False,
    ),
]


def load_or_exit(config: Path | None) -> Municipality:
    """Load the config, or print every error and exit 1."""
    try:
        return load_municipality(config)
    except ConfigInvalid as exc:
        _print_problems("error", exc.errors, errors)
        _print_problems("warning", exc.warnings, errors)
        errors.print(f"[red]{len(exc.errors)} error(s); the config was not loaded.[/red]")
        raise typer.Exit(1) from None


@rules_app.command("check")
def rules_check(config: ConfigOption = None) -> None:
    """Validate the config and prove every report reaches exactly one contact."""
    municipality = load_or_exit(config)
    _print_problems("warning", municipality.warnings, console)
    neighbourhoods = len(municipality.neighbourhoods)
    themes = len(municipality.themes)
    console.print(
        f"[green]OK[/green] {municipality.name}: {len(municipality.districts)} districts, "
        f"{neighbourhoods} neighbourhoods, {themes} themes, {len(municipality.contacts)} contacts, "
        f"{len(municipality.engine.rules)} rules."
    )
    console.print(
        f"Proved: ({themes} themes + unknown) x ({neighbourhoods} neighbourhoods + unknown) x "
        f"{len(Urgency)} urgencies x {len(ReporterRole)} reporter roles = "
        f"{municipality.engine.combinations} combinations, each with exactly one contact."
    )


@rules_app.command("explain")
def rules_explain(
    text: Annotated[str, typer.Option(help="What the reporter wrote.")] = "",
    theme: Annotated[
        str | None, typer.Option(help="Theme id; suggested from the text if absent.")
    ] = None,
    street: str | None = None,
    house_number: str | None = None,
    neighbourhood: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    urgency: Urgency = Urgency.NORMAAL,
    role: ReporterRole = ReporterRole.BEWONER,
    at: Annotated[str | None, typer.Option(help="Report time, ISO 8601 (default: now).")] = None,
    config: ConfigOption = None,
) -> None:
    """Show who would own a report, and why: every rule tried and its conditions."""
    municipality = load_or_exit(config)
    try:
        report = ReportInput(
            reported_at=parse_time(at),
            text=text,
            theme=theme,
            street=street,
            house_number=house_number,
            neighbourhood=neighbourhood,
            lat=lat,
            lon=lon,
            urgency=urgency,
            reporter_role=role,
        )
        routed = route_report(municipality, report, every_rule=True)
    except (InvalidReport, ValueError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    print_explanation(console, municipality, routed)


@app.command("route")
def route(config: ConfigOption = None) -> None:
    """Route JSON lines from stdin; write one JSON decision (or error) per line to stdout."""
    municipality = load_or_exit(config)
    for line in route_lines(municipality, sys.stdin, now=datetime.now(UTC)):
        sys.stdout.write(line + "\n")


@app.command("demo")
def demo(
    config: ConfigOption = None,
    webhook: Annotated[bool, typer.Option(help="Deliver by webhook to `serve`'s app.")] = False,
) -> None:
    """Play a short day in the configured municipality through the local Bot API simulator."""
    from bot.demo.play import play

    municipality = load_or_exit(config)
    configure_logging("WARNING")
    wide = console if console.is_terminal else Console(width=110)
    asyncio.run(play(wide, municipality, webhook=webhook))


@app.command("run")
def run(config: ConfigOption = None) -> None:
    """Run the bot against TELEGRAM_API_URL with TELEGRAM_BOT_TOKEN (polling) until stopped."""
    from bot.chat.polling import serve

    settings = Settings()
    if not settings.telegram_bot_token:
        errors.print(
            "TELEGRAM_BOT_TOKEN is not set (environment or .env). To try Wijksignaal "
            "without Telegram, run `wijksignaal demo`."
        )
        raise typer.Exit(2)
    municipality = load_or_exit(config or settings.wijksignaal_config)
    configure_logging(settings.log_level)
    asyncio.run(serve(settings, municipality))


@contacts_app.command("invite")
def contacts_invite(
    contact_id: str,
    days: Annotated[int, typer.Option(help="Days the link stays valid.")] = 7,
    config: ConfigOption = None,
) -> None:
    """Print a single-use, expiring deep link that links a Telegram account to a contact."""
    municipality = load_or_exit(config)
    if contact_id not in municipality.contacts:
        hint = did_you_mean(contact_id, municipality.contacts)
        errors.print(f"Unknown contact {contact_id!r}" + (f"; {hint}" if hint else ""))
        raise typer.Exit(2)
    settings = Settings()
    token = asyncio.run(_invite(settings, "contact", contact_id, days))
    contact = municipality.contacts[contact_id]
    role = contact.role or "alert only"
    console.print(f"Invitation for {contact.name} ({role}), valid {days} days, once:")
    console.print(
        f"https://t.me/{settings.telegram_bot_username}?start=inv_{token}", soft_wrap=True
    )


@contacts_app.command("list")
def contacts_list(
    unlinked: Annotated[
        bool, typer.Option("--unlinked", help="Show only contacts not linked on Telegram.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Show every contact: area, Telegram link, and their open and overdue signals."""
    from opslag import contacten

    municipality = load_or_exit(config)
    now = datetime.now(UTC)

    async def read(session: AsyncSession) -> tuple[dict[str, datetime], dict[str, tuple[int, int]]]:
        return (
            await contacten.linked_contacts(session),
            await contacten.open_signal_counts(session, now=now),
        )

    linked, counts = asyncio.run(_in_transaction(Settings(), read))
    table = Table(title=f"Contacts of {escape(municipality.name)}")
    # The id is what `contacts invite` needs: never cut it; names and places may wrap.
    table.add_column("id", no_wrap=True)
    for column in ("name", "role", "organisation", "area", "Telegram"):
        table.add_column(column)
    table.add_column("open", justify="right")
    table.add_column("overdue", justify="right")
    for contact in municipality.contacts.values():
        since = linked.get(contact.id)
        if unlinked and since is not None:
            continue
        open_count, overdue = counts.get(contact.id, (0, 0))
        table.add_row(
            contact.id,
            escape(contact.name),
            contact.role or "–",
            escape(contact.organisation),
            escape(_area(municipality, contact)),
            f"yes, since {since.astimezone(AMSTERDAM):%Y-%m-%d}" if since else "[red]no[/red]",
            str(open_count),
            f"[red]{overdue}[/red]" if overdue else "0",
        )
    # Piped into a file or grep, a row stays on one line.
    out = console if console.is_terminal else Console(width=160)
    out.print(table)
    waiting = sum(
        n for c, (n, _) in counts.items() if c in municipality.contacts and c not in linked
    )
    linked_here = sum(1 for c in municipality.contacts if c in linked)
    signals = "1 open signal waits" if waiting == 1 else f"{waiting} open signals wait"
    out.print(
        f"{linked_here} of {len(municipality.contacts)} contacts linked; {signals} with "
        "contacts who are not linked."
    )
    # Owners removed from the config still hold their signals; nobody would see those.
    orphans = sorted(c for c in counts if c not in municipality.contacts)
    if orphans:
        held = sum(counts[c][0] for c in orphans)
        out.print(
            f"[red]{held} open signal(s) owned by ids no longer in this config, seen by "
            f"nobody: {escape(', '.join(orphans))}.[/red]"
        )


def _area(municipality: Municipality, contact: Contact) -> str:
    """Name what a contact covers the way the config's readers know it."""
    districts = [municipality.districts[d].name for d in contact.districts or []]
    neighbourhoods = [municipality.neighbourhoods[n].name for n in contact.neighbourhoods or []]
    return ", ".join(districts + neighbourhoods) or "hele gemeente"


@groups_app.command("code")
def groups_code(
    district: str, days: int = 7, channel: bool = False, config: ConfigOption = None
) -> None:
    """Print a single-use code that links a group chat (or, with --channel, the district's
    public channel) to a district: send /koppel CODE there."""
    municipality = load_or_exit(config)
    if district not in municipality.districts:
        hint = did_you_mean(district, municipality.districts)
        errors.print(f"Unknown district {district!r}" + (f"; {hint}" if hint else ""))
        raise typer.Exit(2)
    if channel and municipality.districts[district].public_channel is None:
        errors.print(f"District {district!r} has no public_channel in districts.yaml.")
        raise typer.Exit(2)
    token = asyncio.run(_invite(Settings(), "channel" if channel else "group", district, days))
    where = "channel (bot as admin), post" if channel else "chat (with the bot added), send"
    console.print(f"In the working group's {where}: /koppel {token}")
    console.print(
        f"It links that chat to {municipality.districts[district].name}; valid {days} days, once."
    )


async def _invite(settings: Settings, purpose: str, target: str, days: int) -> str:
    from opslag import contacten

    async def create(session: AsyncSession) -> str:
        return await contacten.create_invite(
            session,
            purpose=purpose,
            target=target,
            at=datetime.now(UTC),
            valid_for=timedelta(days=days),
        )

    return await _in_transaction(settings, create)


async def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Open DATABASE_URL (migrated first) and run `work` in one transaction."""
    from opslag.database import make_engine, make_sessions, upgrade

    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with make_sessions(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


@app.command("tick")
def tick(
    now: Annotated[str | None, typer.Option(help="Act as if it is this time (ISO 8601).")] = None,
    config: ConfigOption = None,
) -> None:
    """Do everything due once: reminders, escalations, progress messages, digests, retention."""
    from bot.cli.time_commands import tick_command

    tick_command(load_or_exit(config), console, now)


@app.command("digest")
def digest(
    district: Annotated[str, typer.Option(help="District id.")],
    period: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47.")] = None,
    month: Annotated[str | None, typer.Option(help="Month, e.g. 2026-11.")] = None,
    send: Annotated[bool, typer.Option(help="Queue it for the district's linked groups.")] = False,
    config: ConfigOption = None,
) -> None:
    """Preview a working group's digest in the terminal; send it only with --send."""
    from bot.cli.time_commands import digest_command

    municipality = load_or_exit(config)
    _known(district, municipality.districts, "district")
    if period is None and month is None:
        year, week, _ = (datetime.now(UTC) - timedelta(days=7)).isocalendar()
        period = f"{year}-W{week:02d}"
    try:
        digest_command(municipality, console, district, month or period or "", send)
    except ValueError as exc:
        errors.print(str(exc))
        raise typer.Exit(2) from None


@app.command("export")
def export(
    district: Annotated[str, typer.Option(help="District id.")],
    from_: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")],
    to: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")],
    output: Annotated[Path | None, typer.Option(help=".csv or .xlsx file; default: stdout")] = None,
    config: ConfigOption = None,
) -> None:
    """Export the district's signals for a spreadsheet; no reporter data, care without street."""
    from bot.cli.export_command import export_command

    municipality = load_or_exit(config)
    _known(district, municipality.districts, "district")
    export_command(municipality, district, from_.date(), to.date(), output)


def _known(value: str, known: Any, kind: str) -> None:
    if value not in known:
        hint = did_you_mean(value, known)
        errors.print(f"Unknown {kind} {value!r}" + (f"; {hint}" if hint else ""))
        raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (DATABASE_URL, default SQLite wijksignaal.db)."""
    from opslag.database import make_engine, upgrade

    settings = Settings()

    async def run() -> None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    console.print(f"Database at {_redact(settings.database_url)} is up to date.")


def _print_problems(kind: str, problems: list[ConfigError], out: Console) -> None:
    colour = "red" if kind == "error" else "yellow"
    for problem in problems:
        out.print(f"[{colour}]{kind}[/{colour}]: {escape(str(problem))}", highlight=False)


def _redact(url: str) -> str:
    head, sep, tail = url.partition("@")
    return f"{head.split('//')[0]}//***@{tail}" if sep else url
