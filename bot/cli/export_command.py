"""`wijksignaal export`: a district's signals as a file a coordinator opens in a spreadsheet.

One set of columns, in plain Dutch, for every format:

- `.csv` for Excel or LibreOffice set to Dutch: UTF-8 with a byte order mark (so Excel reads
  the accents), `;` between cells (a Dutch spreadsheet takes `,` as the decimal comma),
  `\\r\\n` line ends, local times as `2026-11-23 19:07`, ja/nee for yes and no.
- `.xlsx`: the sheet "Meldingen" with real date-time cells (local time), a bold and frozen
  header row and a filter, and the sheet "Samenvatting" with counts per theme.
- no `--output`: the same CSV on stdout, without the byte order mark, so it pipes cleanly
  into other programs; the notes about rows go to stderr.

Privacy as ever: no reporter data at all (no name, contact, Telegram id, language, house
number, coordinates or description), and care themes without their street. The owner is
named by role and organisation only, never by person.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, NoReturn

import typer
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.cli.time_commands import run_with_services
from kern.services import Services
from kern.texts import Texts
from regels.gemeente import Municipality
from signalen.werkdagen import AMSTERDAM
from signalen.workflow import CLOSED_STATUSES, OPEN_STATUSES, Status

SUFFIXES = (".csv", ".xlsx")
CSV_TIME = "%Y-%m-%d %H:%M"
XLSX_TIME = "dd-mm-yyyy hh:mm"
MELDINGEN, SAMENVATTING = "Meldingen", "Samenvatting"

Cell = str | datetime | None

# (key, header): the order of the columns in every format.
EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("reference", "Kenmerk"),
    ("reported_at", "Gemeld op"),
    ("theme_id", "Thema-id"),
    ("theme", "Thema"),
    ("care", "Zorgmelding"),
    ("neighbourhood_id", "Buurt-id"),
    ("neighbourhood", "Buurt"),
    ("district", "Wijk"),
    ("street", "Straat"),
    ("urgency", "Urgentie"),
    ("priority", "Prioriteit"),
    ("status", "Status"),
    ("owner_role", "Eigenaar (rol)"),
    ("owner_organisation", "Eigenaar (organisatie)"),
    ("rule", "Routeringsregel"),
    ("deadline", "Deadline"),
    ("closed_at", "Afgesloten op"),
    ("on_time", "Op tijd"),
    ("solved", "Opgelost (volgens melder)"),
]
HEADERS = [header for _, header in EXPORT_COLUMNS]
SUMMARY_HEADERS = [
    "Thema-id",
    "Thema",
    "Nieuw",
    "Afgehandeld",
    "Geannuleerd",
    "Open",
    "Op tijd afgesloten",
]
NO_THEME = "(geen thema)"


def export_command(
    municipality: Municipality, district: str, start: date, end: date, output: Path | None
) -> None:
    """Write the signals reported in [start, end] (local days) to `output`, or CSV to stdout.

    Exits 2 on a suffix other than .csv/.xlsx or a range that runs backwards, before the
    database is opened. A range without signals still gives a file (header only) and a note.
    """
    if output is not None and output.suffix.lower() not in SUFFIXES:
        _fail(
            f"Cannot write {output.name!r}: the export file must end in "
            f"{' or '.join(SUFFIXES)} (got {output.suffix or 'no suffix'!r})."
        )
    if end < start:
        _fail(
            f"The date range runs backwards: --to {end:%Y-%m-%d} is before --from "
            f"{start:%Y-%m-%d}. Swap them: --from {end:%Y-%m-%d} --to {start:%Y-%m-%d}."
        )
    signals = _read(municipality, district, start, end)
    records = export_records(municipality, signals)
    try:
        if output is None:
            write_csv(sys.stdout, records)
        elif output.suffix.lower() == ".csv":
            with output.open("w", encoding="utf-8-sig", newline="") as stream:
                write_csv(stream, records)
        else:
            summary = summarise(municipality, signals)
            write_xlsx(output, records, summary, _notes(municipality, district, start, end))
    except OSError as exc:
        typer.echo(f"Could not write {output or 'stdout'}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    name = municipality.districts[district].name
    if not records:
        typer.echo(
            f"No reports found for {name} ({district}) from {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}; the export has only the header row.",
            err=True,
        )
    rows = "1 row" if len(records) == 1 else f"{len(records)} rows"
    if output is None:
        typer.echo(f"{rows} of {name} written to stdout.", err=True)
    else:
        typer.echo(f"Wrote {rows} of {name} ({start:%Y-%m-%d} to {end:%Y-%m-%d}) to {output}")


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _read(municipality: Municipality, district: str, start: date, end: date) -> list[Any]:
    from opslag.overzicht import export_rows

    begin = datetime.combine(start, time(0), tzinfo=AMSTERDAM)
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=AMSTERDAM)

    async def work(services: Services) -> list[Any]:
        async with services.sessions() as session:
            return await export_rows(session, district=district, start=begin, end=finish)

    return run_with_services(municipality, work)


def status_words(texts: Texts | None = None) -> dict[str, str]:
    """Every status as the bot says it in Dutch ("doorgezet" -> "doorgestuurd")."""
    texts = texts or Texts()
    return {s.value: texts.plain("knoppen.status", "nl", waarde=s.value) for s in Status}


def export_records(municipality: Municipality, signals: Iterable[Any]) -> list[dict[str, Cell]]:
    """One row per signal, keyed as EXPORT_COLUMNS; times are aware, None is an empty cell.

    A theme or contact no longer in the config leaves its label empty; a theme that is not
    in the config is treated as a care theme (its street is left out), since nobody can say
    it was not one.
    """
    words = status_words()
    records = []
    for s in signals:
        theme = municipality.themes.get(s.theme) if s.theme else None
        sensitive = bool(s.theme) and (theme is None or theme.sensitive)
        neighbourhood = municipality.neighbourhoods.get(s.neighbourhood or "")
        district = municipality.districts.get(s.district or "")
        owner = municipality.contacts.get(s.contact_id)
        records.append(
            {
                "reference": s.reference,
                "reported_at": s.reported_at,
                "theme_id": s.theme,
                "theme": theme.label.nl if theme else None,
                "care": _yes_no(sensitive),
                "neighbourhood_id": s.neighbourhood,
                "neighbourhood": neighbourhood.name if neighbourhood else None,
                "district": district.name if district else s.district,
                "street": None if sensitive else s.street,
                "urgency": s.urgency,
                "priority": s.priority,
                "status": words.get(s.status, s.status),
                "owner_role": owner.role if owner else None,
                "owner_organisation": owner.organisation if owner else None,
                "rule": s.rule_id,
                "deadline": s.deadline,
                "closed_at": s.closed_at,
                "on_time": None if s.closed_at is None else _yes_no(s.closed_at <= s.deadline),
                "solved": None if s.solved is None else _yes_no(s.solved),
            }
        )
    return records


def _yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def _text(value: str) -> str:
    """A cell a spreadsheet shows as text: never a formula (a street typed as "=HYPERLINK(…)")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(stream: IO[str], records: Sequence[dict[str, Cell]]) -> None:
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(HEADERS)
    for record in records:
        writer.writerow(_csv_cell(record[key]) for key, _ in EXPORT_COLUMNS)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime(CSV_TIME)
    return _text(value)


def summarise(municipality: Municipality, signals: Iterable[Any]) -> list[list[Any]]:
    """Rows of the summary: per theme (all of the config's, then any others), then a total.

    Nieuw: reported in the range. Afgehandeld, Geannuleerd, Open: their status now (the
    three add up to Nieuw). Op tijd afgesloten: closed on or before the deadline.
    """
    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    for s in signals:
        tally = counts[s.theme]
        tally["new"] += 1
        if s.status == Status.AFGEHANDELD:
            tally["done"] += 1
        elif s.status == Status.GEANNULEERD:
            tally["cancelled"] += 1
        elif s.status in OPEN_STATUSES:
            tally["open"] += 1
        if s.status in CLOSED_STATUSES and s.closed_at and s.closed_at <= s.deadline:
            tally["on_time"] += 1
    order: list[str | None] = list(municipality.themes)
    order += sorted(t for t in counts if t is not None and t not in municipality.themes)
    order += [None] if None in counts else []
    keys = ("new", "done", "cancelled", "open", "on_time")
    rows: list[list[Any]] = []
    for theme_id in order:
        theme = municipality.themes.get(theme_id) if theme_id else None
        label = theme.label.nl if theme else (NO_THEME if theme_id is None else None)
        rows.append([theme_id, label, *(counts[theme_id][k] for k in keys)])
    rows.append([None, "Totaal", *(sum(c[k] for c in counts.values()) for k in keys)])
    return rows


def _notes(municipality: Municipality, district: str, start: date, end: date) -> list[str]:
    now = datetime.now(UTC).astimezone(AMSTERDAM)
    return [
        f"Wijk: {municipality.districts[district].name} ({district}), {municipality.name}",
        f"Gemeld van {start:%d-%m-%Y} tot en met {end:%d-%m-%Y}; stand van {now:%d-%m-%Y %H:%M}",
        "Nieuw: gemeld in deze periode. Afgehandeld, Geannuleerd en Open: de status nu.",
        "Op tijd afgesloten: afgesloten op of vóór de deadline.",
    ]


def write_xlsx(
    path: Path, records: Sequence[dict[str, Cell]], summary: list[list[Any]], notes: list[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = MELDINGEN
    rows = [[_xlsx_cell(record[key]) for key, _ in EXPORT_COLUMNS] for record in records]
    _table(sheet, HEADERS, rows)
    totals = book.create_sheet(SAMENVATTING)
    _table(totals, SUMMARY_HEADERS, summary[:-1])  # the filter leaves the total out of a sort
    totals.append(summary[-1])
    for cell in totals[totals.max_row]:
        cell.font = Font(bold=True)
    totals.append([])
    for line in notes:
        totals.append([line])
    book.save(path)


def _xlsx_cell(value: Cell) -> Cell:
    """Local time without a zone (Excel knows none) to the second; text stays text."""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).replace(tzinfo=None, microsecond=0)
    return value


def _table(sheet: Any, headers: list[str], rows: list[list[Any]]) -> None:
    """A bold, frozen header with a filter over the rows, and columns wide enough to read."""
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = XLSX_TIME
            elif cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it text
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    for index, header in enumerate(headers, start=1):
        values = [row[index - 1] for row in rows]
        longest = max(
            [len(header)] + [16 if isinstance(v, datetime) else len(str(v or "")) for v in values]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, 50)
