"""The `wijksignaal` command as a coordinator uses it."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app, route_lines
from opslag import contacten, meldingen
from opslag.database import make_engine, make_sessions, upgrade
from regels.gemeente import Municipality
from signalen.model import Place, Reporter, Urgency
from tests.conftest import local

runner = CliRunner()


def test_rules_check_passes_on_the_bundled_example() -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "OK Deventer" in result.output and "378 combinations" in result.output


ALMELO = str(Path(__file__).parents[1] / "regels" / "voorbeeld" / "almelo")


def test_check_route_and_explain_work_on_the_almelo_example() -> None:
    checked = runner.invoke(app, ["rules", "check", "--config", ALMELO])
    assert checked.exit_code == 0, checked.output
    assert "OK Almelo" in checked.output and "180 combinations" in checked.output
    saturday = '{"text": "vechtpartij bij de winkels", "street": "Steffensweg", "urgency": "hoog",'
    lines = (
        saturday + ' "reported_at": "2026-11-28T14:00:00+01:00"}\n'
        '{"text": "vechtpartij bij de winkels", "street": "Steffensweg", "urgency": "hoog",'
        ' "reported_at": "2026-11-24T10:00:00+01:00"}\n'
    )
    routed = runner.invoke(app, ["route", "--config", ALMELO], input=lines)
    assert routed.exit_code == 0, routed.output
    weekend, weekday = (json.loads(line) for line in routed.stdout.splitlines())
    assert (weekend["contact"], weekend["contact_role"]) == ("meldpunt-24uur", "meldpunt")
    assert weekend["deadline"] == "2026-11-28T16:00:00+01:00"  # 2 clock hours at the 24/7 desk
    assert (weekday["contact"], weekday["contact_role"]) == ("sdc-de-riet", "stadsdeelcoordinator")
    explained = runner.invoke(
        app,
        ["rules", "explain", "--config", ALMELO, "--theme", "veiligheid", "--street",
         "Steffensweg", "--urgency", "hoog", "--at", "2026-12-25T11:00:00+01:00"],
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    flat = " ".join(explained.output.split())
    assert "outside working hours" in flat and "deadline 2 hour(s)" in flat


def test_rules_check_lists_every_error_and_exits_1(config_copy) -> None:
    path = config_copy(
        ("rules.yaml", "      role: handhaving", "      rol: handhaving"),
        ("contacts.yaml", "role: sociaal_team", "role: sociaalteam"),
    )
    result = runner.invoke(app, ["rules", "check", "--config", str(path)])
    assert result.exit_code == 1
    assert "rules.yaml:" in result.output and "'wonen-handhaving'" in result.output
    assert (
        "did you mean 'role'?" in result.output and "did you mean 'sociaal_team'?" in result.output
    )


def test_config_can_come_from_the_environment(config_copy) -> None:
    path = config_copy(("municipality.yaml", "name: Deventer", "name: Testgemeente"))
    result = runner.invoke(app, ["rules", "check"], env={"WIJKSIGNAAL_CONFIG": str(path)})
    assert result.exit_code == 0 and "OK Testgemeente" in result.output


def test_explain_names_owner_rule_and_why() -> None:
    result = runner.invoke(
        app,
        [
            "rules",
            "explain",
            "--text",
            "Vuilniszakken naast de container",
            "--street",
            "Rijnstraat",
            "--house-number",
            "4",
            "--at",
            "2026-11-23T09:00:00+01:00",
        ],
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Theme suggested from the text: afval" in out
    assert (
        "(wijkbeheerder, Gemeente Deventer, Wijkbeheer) for Deltabuurt" in out
        and "afval-wijkbeheer" in out
    )
    assert "Wed 25 Nov 2026 17:00" in out


def test_explain_refuses_an_unknown_theme_kindly() -> None:
    result = runner.invoke(app, ["rules", "explain", "--theme", "afvall"])
    assert result.exit_code == 2 and "did you mean 'afval'?" in result.output


def test_route_writes_one_decision_or_error_per_line(deventer: Municipality) -> None:
    lines = [
        json.dumps(
            {
                "text": "kamers verhuurd",
                "theme": "wonen",
                "street": "Avelostraat",
                "house_number": 3,
                "reported_at": "2026-04-24T18:00:00+02:00",
            }
        ),
        "{not json",
        json.dumps({"text": "x", "urgency": "dringend"}),
        json.dumps(
            {"text": "hallo", "neighbourhood": "Het Oostrik", "reporter_role": "professional"}
        ),
        json.dumps({"txt": "typo"}),
        json.dumps({"text": "x", "reported_at": "2026-11-23T10:00:00"}),
    ]
    out = [json.loads(o) for o in route_lines(deventer, lines, now=local(2026, 11, 23, 10))]
    assert len(out) == len(lines)
    assert out[0] == {
        "theme": "wonen",
        "theme_suggested": False,
        "neighbourhood": "sluiswijk",
        "district": "voorstad",
        "contact": "hh-voorstad",
        "contact_role": "handhaving",
        "rule": "wonen-handhaving",
        "priority": "normaal",
        "deadline": "2026-05-12T17:00:00+02:00",
        "explanation": "rule wonen-handhaving (#2): theme wonen in (wonen) -> hh-voorstad",
    }
    assert out[1]["line"] == 2 and "not JSON" in out[1]["error"]
    assert out[2]["error"] == "urgency 'dringend' is not one of laag, normaal, hoog"
    assert (out[3]["contact"], out[3]["rule"], out[3]["theme"]) == (
        "wm-colmschate",
        "fallback:colmschate",
        None,
    )
    assert out[3]["theme_sure"] is False
    assert "unknown field(s) txt" in out[4]["error"]
    assert "needs a timezone" in out[5]["error"]


def test_route_reads_stdin(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["route"], input='{"text": "drugs in het portiek", "neighbourhood": "deltabuurt"}\n\n'
    )
    assert result.exit_code == 0
    [line] = result.output.strip().splitlines()
    assert json.loads(line)["contact"] == "wa-rivierenwijk"


def test_db_upgrade_creates_the_tables(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["db", "upgrade"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output and (tmp_path / "cli.db").exists()


def _row(output: str, contact_id: str) -> list[str]:
    """The cells of a contact's row in a rich table."""
    [line] = [line for line in output.splitlines() if f"│ {contact_id} " in line]
    return [cell.strip() for cell in line.split("│")[1:-1]]


@pytest.fixture
def contacts_database(tmp_path: Path) -> dict[str, str]:
    """A database with wb-rivierenwijk linked and signals with linked, unlinked and gone owners."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'contacts.db'}"
    past, future = local(2026, 1, 6, 17), datetime.now(UTC) + timedelta(days=30)

    async def seed() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        async with make_sessions(engine).begin() as session:
            await contacten.register_contact(
                session,
                contact_id="wb-rivierenwijk",
                telegram_user_id=501,
                chat_id=501,
                language="nl",
                at=local(2026, 11, 20, 9),
            )
            for owner, deadline, status in [
                ("wb-rivierenwijk", past, None),
                ("wb-rivierenwijk", future, None),
                ("wa-rivierenwijk", past, None),
                ("wa-rivierenwijk", past, "afgehandeld"),
                ("wa-rivierenwijk", past, "geannuleerd"),
                ("oud-contact", future, None),
            ]:
                signal = await meldingen.add_signal(
                    session,
                    theme="afval",
                    description="Zakken naast de container",
                    place=Place(neighbourhood="deltabuurt", district="rivierenwijk"),
                    urgency=Urgency.NORMAAL,
                    reporter=Reporter(),
                    routing=meldingen.Routing(
                        contact_id=owner,
                        escalation_contact_id="wm-rivierenwijk",
                        rule_id="afval-wijkbeheer",
                        explanation="x",
                        priority=Urgency.NORMAAL,
                        deadline=deadline,
                    ),
                    reported_at=local(2026, 1, 5, 10),
                )
                if status:
                    signal.status = status
        await engine.dispose()

    asyncio.run(seed())
    return {"DATABASE_URL": url}


def test_contacts_list_shows_link_and_open_and_overdue_signals_per_contact(
    contacts_database: dict[str, str], deventer: Municipality
) -> None:
    result = runner.invoke(app, ["contacts", "list"], env=contacts_database)
    assert result.exit_code == 0, result.output
    assert _row(result.output, "wb-rivierenwijk") == [
        "wb-rivierenwijk",
        "Olaf Brouwer",
        "wijkbeheerder",
        "Gemeente Deventer, Wijkbeheer",
        "Rivierenwijk",
        "yes, since 2026-11-20",
        "2",
        "1",
    ]
    # Closed and cancelled signals are not open; the one left is overdue.
    assert _row(result.output, "wa-rivierenwijk")[5:] == ["no", "1", "1"]
    assert _row(result.output, "meldpunt")[4:] == ["hele gemeente", "no", "0", "0"]
    assert (
        f"1 of {len(deventer.contacts)} contacts linked; 1 open signal waits with contacts "
        "who are not linked." in result.output
    )
    assert (
        "1 open signal(s) owned by ids no longer in this config, seen by nobody: oud-contact."
        in (" ".join(result.output.split()))
    )


def test_contacts_list_unlinked_leaves_out_linked_contacts(
    contacts_database: dict[str, str],
) -> None:
    result = runner.invoke(app, ["contacts", "list", "--unlinked"], env=contacts_database)
    assert result.exit_code == 0, result.output
    assert "│ wb-rivierenwijk " not in result.output
    assert _row(result.output, "wa-rivierenwijk")[5] == "no"


def test_contacts_list_on_an_empty_database_lists_every_contact_unlinked(
    tmp_path: Path, deventer: Municipality
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["contacts", "list"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert all(_row(result.output, c)[5:] == ["no", "0", "0"] for c in deventer.contacts)
    assert f"0 of {len(deventer.contacts)} contacts linked; 0 open signals wait" in result.output


@pytest.mark.parametrize("where", [[], ["--street", "Onbekendstraat"]])
def test_explain_for_an_unknown_place_does_not_show_a_role_rule_as_the_match(
    where: list[str],
) -> None:
    result = runner.invoke(
        app, ["rules", "explain", "--theme", "zorg", *where], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert _row(result.output, "8")[1:4:2] == ["zorg-sociaal-team", "no"]
    # A narrow terminal wraps the cell; its words stay in order.
    out = " ".join(result.output.replace("│", " ").split())
    assert "✗ owner sociaal_team needs a known neighbourhood" in out
    assert "Rule: fallback:municipality (fallback)" in out and "no rule matched" in out


def test_explain_with_a_neighbourhood_shows_the_rule_that_owns_it_as_the_match() -> None:
    result = runner.invoke(
        app,
        ["rules", "explain", "--theme", "zorg", "--neighbourhood", "Sluiswijk"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    assert _row(result.output, "8")[1:4:2] == ["zorg-sociaal-team", "match"]
    assert "no rule matched" not in result.output and "Rule: zorg-sociaal-team;" in result.output
