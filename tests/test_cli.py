"""The `wijksignaal` command as a coordinator uses it."""

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app, route_lines
from regels.gemeente import Municipality
from tests.conftest import local

runner = CliRunner()


def test_rules_check_passes_on_the_bundled_example() -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "OK Deventer" in result.output and "378 combinations" in result.output


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
