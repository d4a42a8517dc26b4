"""`wijksignaal export`: CSV for a Dutch spreadsheet, xlsx, and clear refusals."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli.main import app
from kern.texts import Texts
from opslag import meldingen
from opslag.database import make_engine, make_sessions, upgrade
from regels.gemeente import Municipality
from signalen.model import Place, Reporter, Urgency
from signalen.workflow import Status
from tests.conftest import local

runner = CliRunner()
BOM = b"\xef\xbb\xbf"
HEADER = (
    "Kenmerk;Gemeld op;Thema-id;Thema;Zorgmelding;Buurt-id;Buurt;Wijk;Straat;Urgentie;"
    "Prioriteit;Status;Eigenaar (rol);Eigenaar (organisatie);Routeringsregel;Deadline;"
    "Afgesloten op;Op tijd;Opgelost (volgens melder)"
)
NOVEMBER = ["--district", "colmschate", "--from", "2026-11-01", "--to", "2026-11-30"]
FORMULA = '=HYPERLINK("http://example.invalid","klik")'

# theme, neighbourhood, street, reported (day, hour), owner, what happens after, solved
SIGNALS = [
    ("afval", "oostrik", "Oostriklaan", (23, 19), "wb-colmschate", Status.DOORGEZET, None),
    ("zorg", "colmschate-zuid", "Holterweg", (24, 9), "st-colmschate", None, None),
    ("openbare_ruimte", "oostrik", FORMULA, (25, 9), "wb-colmschate", Status.AFGEHANDELD, True),
    ("afval", "colmschate-zuid", "Oerdijk", (26, 9), "wb-colmschate", "late", False),
    ("veiligheid", "oostrik", "Schegweg", (27, 9), "hh-colmschate", Status.GEANNULEERD, None),
]


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    """Five signals of Colmschate in November, one in October, one of another district."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'export.db'}"

    async def add(session, theme, neighbourhood, district, street, at, owner) -> Any:
        return await meldingen.add_signal(
            session,
            theme=theme,
            description=f"GEHEIM-MARKER {theme}",
            urgency=Urgency.NORMAAL,
            place=Place(
                street=street, house_number="77", neighbourhood=neighbourhood, district=district
            ),
            reporter=Reporter(telegram_user_id=7001, anonymous=False, name="Piet Melder"),
            routing=meldingen.Routing(
                contact_id=owner,
                escalation_contact_id="wm-colmschate",
                rule_id=f"{theme}-regel",
                explanation="x",
                priority=Urgency.NORMAAL,
                deadline=at.replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=2),
                deadline_days=2,
            ),
            reported_at=at,
        )

    async def seed() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        async with make_sessions(engine).begin() as session:
            for theme, buurt, street, (day, hour), owner, then, solved in SIGNALS:
                at = local(2026, 11, day, hour, 7, 13, 412598)
                signal = await add(session, theme, buurt, "colmschate", street, at, owner)
                await session.flush()
                if then == "late":
                    then, at = Status.AFGEHANDELD, local(2026, 12, 10, 12)
                if then is not None:
                    await meldingen.change_status(
                        session, signal=signal, to=then, actor="test", at=at.replace(hour=16)
                    )
                signal.solved = solved
            await add(
                session,
                "afval",
                "oostrik",
                "colmschate",
                "Oostriklaan",
                local(2026, 10, 15, 9),
                "wb-colmschate",
            )
            await add(
                session,
                "afval",
                "keizerslanden",
                "keizerslanden",
                "Ludgerstraat",
                local(2026, 11, 20, 9),
                "wb-keizerslanden",
            )
        await engine.dispose()

    asyncio.run(seed())
    return {"DATABASE_URL": url}


def said(status: str) -> str:
    """The bot's own Dutch word for a status (its templates may reword; "doorgestuurd" stays)."""
    return Texts()("knoppen.status", "nl", waarde=status)


def _range(start: str, end: str) -> list[str]:
    return ["export", "--district", "colmschate", "--from", start, "--to", end]


def _rows(text: str) -> dict[str, dict[str, str]]:
    """Rows by street, or by theme for the care row (whose street is empty)."""
    rows = csv.DictReader(io.StringIO(text), delimiter=";")
    return {row["Straat"] or row["Thema-id"]: row for row in rows}


def test_csv_file_opens_in_a_dutch_spreadsheet(database, tmp_path, deventer) -> None:
    target = tmp_path / "colmschate.csv"
    result = runner.invoke(app, ["export", *NOVEMBER, "--output", str(target)], env=database)
    assert result.exit_code == 0, result.output
    assert f"Wrote 5 rows of Colmschate (2026-11-01 to 2026-11-30) to {target}" in result.stdout
    raw = target.read_bytes()
    assert raw.startswith(BOM)
    text = raw.decode("utf-8-sig")
    assert text.split("\r\n")[0] == HEADER
    assert text.count("\r\n") == 6 and "\n" not in text.replace("\r\n", "")
    rows = _rows(text)
    assert set(rows) == {"Oostriklaan", "zorg", "'" + FORMULA, "Oerdijk", "Schegweg"}
    first = rows["Oostriklaan"]
    assert first["Gemeld op"] == "2026-11-23 19:07"
    assert (first["Thema-id"], first["Thema"]) == ("afval", deventer.themes["afval"].label.nl)
    assert (first["Buurt-id"], first["Buurt"], first["Wijk"]) == (
        "oostrik",
        deventer.neighbourhoods["oostrik"].name,
        deventer.districts["colmschate"].name,
    )
    assert first["Thema"] and first["Buurt"] and first["Wijk"]
    assert first["Status"] == "doorgestuurd" and first["Zorgmelding"] == "nee"
    assert first["Eigenaar (rol)"] == "wijkbeheerder"
    assert first["Eigenaar (organisatie)"] == deventer.contacts["wb-colmschate"].organisation
    assert first["Deadline"] == "2026-11-25 17:00"
    assert first["Afgesloten op"] == first["Op tijd"] == first["Opgelost (volgens melder)"] == ""
    done = rows["'" + FORMULA]  # a typed formula stays text in the spreadsheet
    assert (done["Status"], done["Op tijd"], done["Opgelost (volgens melder)"]) == (
        said("afgehandeld"),
        "ja",
        "ja",
    )
    assert done["Afgesloten op"] == "2026-11-25 16:07"
    late = rows["Oerdijk"]
    assert (late["Op tijd"], late["Opgelost (volgens melder)"]) == ("nee", "nee")
    care = rows["zorg"]
    assert care["Straat"] == "" and care["Zorgmelding"] == "ja"
    assert (care["Thema"], care["Buurt"], care["Status"]) == (
        deventer.themes["zorg"].label.nl,
        deventer.neighbourhoods["colmschate-zuid"].name,
        said("toegewezen"),
    )
    assert "Holterweg" not in text and "GEHEIM-MARKER" not in text and "Piet" not in text
    assert ";77;" not in text  # no house numbers
    assert "Ludgerstraat" not in text  # another district
    assert "2026-10-15" not in text  # before the range


def test_stdout_gets_the_same_csv_without_a_bom(database) -> None:
    result = runner.invoke(app, ["export", *NOVEMBER], env=database)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith((HEADER + "\r\n").encode())  # no BOM on stdout
    assert _rows(result.stdout)["Oostriklaan"]["Status"] == "doorgestuurd"
    assert "5 rows of Colmschate written to stdout." in result.stderr
    assert "Holterweg" not in result.stdout and "Piet" not in result.stdout


def test_xlsx_has_a_frozen_bold_header_real_times_and_a_summary(
    database, tmp_path, deventer
) -> None:
    target = tmp_path / "colmschate.xlsx"
    result = runner.invoke(app, ["export", *NOVEMBER, "--output", str(target)], env=database)
    assert result.exit_code == 0, result.output
    assert "Wrote 5 rows of Colmschate" in result.stdout and str(target) in result.stdout
    book = load_workbook(target)
    assert book.sheetnames == ["Meldingen", "Samenvatting"]
    sheet = book["Meldingen"]
    header = [c.value for c in sheet[1]]
    assert ";".join(header) == HEADER
    assert all(c.font.bold for c in sheet[1]) and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:S6"
    assert sheet.max_row == 6
    rows = {
        r[header.index("Straat")].value or r[header.index("Thema-id")].value: r
        for r in sheet.iter_rows(min_row=2)
    }
    reported = rows["Oostriklaan"][header.index("Gemeld op")]
    assert isinstance(reported.value, datetime) and reported.value.tzinfo is None
    assert reported.value == datetime(2026, 11, 23, 19, 7, 13)  # local, to the second
    assert reported.number_format == "dd-mm-yyyy hh:mm"
    assert rows["Oostriklaan"][header.index("Status")].value == "doorgestuurd"
    formula = rows[FORMULA][header.index("Straat")]
    assert formula.data_type == "s"  # text, not a live formula
    assert rows["zorg"][header.index("Straat")].value is None
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDN"}
    assert widths["B"] >= 16
    assert widths["N"] >= len(deventer.contacts["wb-colmschate"].organisation)

    summary = book["Samenvatting"]
    assert [c.value for c in summary[1]] == [
        "Thema-id",
        "Thema",
        "Nieuw",
        "Afgehandeld",
        "Geannuleerd",
        "Open",
        "Op tijd afgesloten",
    ]
    assert summary["A1"].font.bold and summary.freeze_panes == "A2"
    assert summary.auto_filter.ref == f"A1:G{len(deventer.themes) + 1}"  # not the total
    table = [r for r in summary.iter_rows(min_row=2, values_only=True) if r[1]]
    counts = {theme or label: numbers for theme, label, *numbers in table}
    labels = {theme: label for theme, label, *_ in table if theme}
    assert labels == {t.id: t.label.nl for t in deventer.themes.values()}
    assert counts["afval"] == [2, 1, 0, 1, 0]  # new, done, cancelled, open, on time
    assert counts["openbare_ruimte"] == [1, 1, 0, 0, 1]
    assert counts["veiligheid"] == [1, 0, 1, 0, 1]
    assert counts["zorg"] == [1, 0, 0, 1, 0]
    assert counts["bewonersinitiatief"] == [0, 0, 0, 0, 0]
    assert counts["Totaal"] == [5, 2, 1, 2, 2]
    assert all(c.font.bold for c in summary[len(table) + 1])  # the total row


def test_a_backwards_range_is_refused_kindly(database, tmp_path) -> None:
    target = tmp_path / "x.csv"
    result = runner.invoke(
        app,
        [*_range("2026-11-30", "2026-11-01"), "--output", str(target)],
        env=database,
    )
    assert result.exit_code == 2
    assert "--to 2026-11-01 is before --from 2026-11-30" in result.stderr
    assert not target.exists()


def test_an_empty_range_still_writes_the_header_and_says_so(database, tmp_path) -> None:
    target = tmp_path / "december.csv"
    result = runner.invoke(
        app,
        [*_range("2026-12-01", "2026-12-31"), "--output", str(target)],
        env=database,
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == BOM + (HEADER + "\r\n").encode()
    assert (
        "No reports found for Colmschate (colmschate) from 2026-12-01 to 2026-12-31"
        in result.stderr
    )
    assert "Wrote 0 rows" in result.stdout


def test_an_unknown_suffix_or_district_is_refused(database, tmp_path) -> None:
    target = tmp_path / "colmschate.ods"
    result = runner.invoke(app, ["export", *NOVEMBER, "--output", str(target)], env=database)
    assert result.exit_code == 2
    assert "'colmschate.ods'" in result.stderr and ".csv or .xlsx" in result.stderr
    assert not target.exists()
    result = runner.invoke(
        app,
        ["export", "--district", "colmschaate", "--from", "2026-11-01", "--to", "2026-11-30"],
        env=database,
    )
    assert result.exit_code == 2 and "did you mean 'colmschate'?" in result.stderr


def test_status_words_are_the_bots(deventer: Municipality) -> None:
    from bot.cli.export_command import status_words

    words = status_words()
    assert words["doorgezet"] == "doorgestuurd"
    assert words == {s.value: said(s.value) for s in Status}
