"""`wijksignaal tick`, `digest` and `export` against a real SQLite file."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from kern.planning import replan
from kern.services import Services
from kern.texts import Texts
from opslag import meldingen
from opslag.database import make_engine, make_sessions, upgrade
from signalen.model import Place, Reporter, Urgency
from tests.conftest import local

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, deventer) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def seed() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        services = Services(
            municipality=deventer,
            sessions=make_sessions(engine),
            texts=Texts(),
            clock=lambda: local(2026, 11, 17, 10),
        )
        async with services.sessions.begin() as session:
            for n, (theme, text) in enumerate(
                [
                    ("afval", "Zakken naast container"),
                    ("zorg", "GEHEIM-MARKER buurman verward"),
                    ("afval", "Nog meer zakken"),
                ]
            ):
                signal = await meldingen.add_signal(
                    session,
                    theme=theme,
                    description=text,
                    urgency=Urgency.NORMAAL,
                    place=Place(
                        street="Rijnstraat",
                        house_number=str(n),
                        neighbourhood="deltabuurt",
                        district="rivierenwijk",
                    ),
                    reporter=Reporter(telegram_user_id=7000 + n, anonymous=False, name="Piet"),
                    routing=meldingen.Routing(
                        contact_id="wb-rivierenwijk",
                        escalation_contact_id="wm-rivierenwijk",
                        rule_id="afval-wijkbeheer",
                        explanation="x",
                        priority=Urgency.NORMAAL,
                        deadline=local(2026, 11, 19, 17),
                        deadline_days=2,
                    ),
                    reported_at=local(2026, 11, 17, 10 + n),
                )
                await session.flush()
                await replan(session, services, signal, local(2026, 11, 17, 10 + n))
        await engine.dispose()

    asyncio.run(seed())
    return {"DATABASE_URL": url}


def test_digest_preview_shows_counts_and_keeps_care_private(database) -> None:
    result = runner.invoke(
        app, ["digest", "--district", "rivierenwijk", "--period", "2026-W47"], env=database
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "Overzicht Rivierenwijk: week 47, 16–22 november" in said
    assert "Nieuw: 3." in said and "Zorgmeldingen: 1 nieuw, 1 open." in said
    assert "2026-W47" in result.output.split("Chart:")[1]  # the chart file keeps the key
    assert "GEHEIM-MARKER" not in result.output and "Chart:" in result.output
    assert "No group is linked" not in result.output  # nothing sent without --send


def test_digest_refuses_a_bad_period_and_unknown_district(database) -> None:
    result = runner.invoke(
        app, ["digest", "--district", "rivierenwijk", "--period", "week 47"], env=database
    )
    assert result.exit_code == 2 and "2026-W47" in result.output
    result = runner.invoke(app, ["digest", "--district", "rivierenwyk"], env=database)
    assert result.exit_code == 2 and "did you mean 'rivierenwijk'?" in result.output


def test_export_has_no_personal_data_of_care_signals(database) -> None:
    result = runner.invoke(
        app,
        ["export", "--district", "rivierenwijk", "--from", "2026-11-01", "--to", "2026-11-30"],
        env=database,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))
    assert [r["Thema-id"] for r in rows] == ["afval", "zorg", "afval"]
    care = rows[1]
    assert care["Straat"] == "" and rows[0]["Straat"] == "Rijnstraat"
    assert "GEHEIM-MARKER" not in result.output and "Piet" not in result.output


def test_tick_acts_on_due_timers_once(database) -> None:
    first = runner.invoke(app, ["tick", "--now", "2026-11-19T17:05:00+01:00"], env=database)
    assert first.exit_code == 0, first.output
    assert "6 timer(s) done" in first.output  # both reminders of each of the three signals
    again = runner.invoke(app, ["tick", "--now", "2026-11-19T17:06:00+01:00"], env=database)
    assert "0 timer(s) done" in again.output


def test_tick_in_the_future_queues_messages_that_are_due_now(database, tmp_path) -> None:
    """`tick --now <future>` decides as of that time, but what it queues may go out at once:
    a chat's queue must never wait behind a message stamped with the simulated date."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from opslag import contacten
    from opslag.tabellen import OutboxMessage

    url = database["DATABASE_URL"]

    async def link() -> None:
        engine = make_engine(url)
        async with make_sessions(engine).begin() as session:
            await contacten.register_contact(
                session,
                contact_id="wb-rivierenwijk",
                telegram_user_id=2001,
                chat_id=2001,
                language="nl",
                at=local(2026, 11, 17, 9),
            )
        await engine.dispose()

    async def queued() -> list[OutboxMessage]:
        engine = make_engine(url)
        async with make_sessions(engine)() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        await engine.dispose()
        return rows

    asyncio.run(link())
    result = runner.invoke(app, ["tick", "--now", "2027-03-01T09:00:00+01:00"], env=database)
    assert result.exit_code == 0, result.output
    rows = asyncio.run(queued())
    assert [r for r in rows if r.chat_id == 2001], "the owner's escalation notice was queued"
    assert all(r.not_before <= datetime.now(UTC) for r in rows)


def test_digest_counts_care_without_a_place_and_reports_diverted_signals(database) -> None:
    """A care report with an unknown place belongs to no district, yet every working group
    sees it as a count; signals that went elsewhere because their contact is not on Telegram
    are flagged so the group gets that contact linked."""
    from sqlalchemy import update

    from opslag.tabellen import SignalRow

    url = database["DATABASE_URL"]

    async def add() -> None:
        engine = make_engine(url)
        async with make_sessions(engine).begin() as session:
            await meldingen.add_signal(
                session,
                theme="zorg",
                description="GEHEIM-ZORG buurvrouw komt niet meer buiten",
                urgency=Urgency.NORMAAL,
                place=Place(),
                reporter=Reporter(telegram_user_id=7100),
                routing=meldingen.Routing(
                    contact_id="st-intake",
                    escalation_contact_id="st-intake",
                    rule_id="fallback:municipality",
                    explanation="x",
                    priority=Urgency.NORMAAL,
                    deadline=local(2026, 11, 20, 17),
                    deadline_days=3,
                ),
                reported_at=local(2026, 11, 17, 15),
            )
            await session.execute(
                update(SignalRow)
                .where(SignalRow.description == "Nog meer zakken")
                .values(diverted_from="wb-rivierenwijk", contact_id="wm-rivierenwijk")
            )
        await engine.dispose()

    asyncio.run(add())
    result = runner.invoke(
        app, ["digest", "--district", "rivierenwijk", "--period", "2026-W47"], env=database
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert (
        "Zonder bekende plek (hele gemeente): nieuw 1, open 1; waarvan zorg: nieuw 1, open 1."
        in said
    )
    assert "1 open melding ging naar iemand anders" in said
    assert "GEHEIM-ZORG" not in result.output


def test_digest_of_a_quiet_week_is_one_line_without_a_chart(database) -> None:
    result = runner.invoke(
        app, ["digest", "--district", "rivierenwijk", "--period", "2026-W46"], env=database
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert said.startswith(
        "Overzicht Rivierenwijk: week 46, 9–15 november: geen nieuwe meldingen en niets "
        "afgehandeld. Nu open: 0."
    )
    assert "No chart: nothing new and nothing closed." in said and "Chart:" not in said
