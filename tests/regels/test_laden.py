"""Config validation: every error names the file, the item and the field, with a hint."""

from collections.abc import Callable
from pathlib import Path

import pytest

from regels.fouten import ConfigError, ConfigInvalid
from regels.laden import load_municipality

Edit = tuple[str, str, str]


def errors_of(config_copy: Callable[..., Path], *edits: Edit) -> list[ConfigError]:
    with pytest.raises(ConfigInvalid) as info:
        load_municipality(config_copy(*edits))
    return info.value.errors


def test_bundled_example_loads_without_warnings(deventer) -> None:
    assert deventer.name == "Deventer"
    assert deventer.warnings == []
    assert {
        "sluiswijk",
        "gerard-ter-borchbuurt",
        "deltabuurt",
        "oostrik",
        "keizerslanden",
        "colmschate-zuid",
        "schalkhaar",
    } <= set(deventer.neighbourhoods)
    assert set(deventer.themes) == {
        "afval",
        "openbare_ruimte",
        "veiligheid",
        "wonen",
        "zorg",
        "bewonersinitiatief",
    }
    assert deventer.themes["zorg"].sensitive and not deventer.themes["afval"].sensitive


def test_misspelt_field_names_file_item_field_and_suggests(config_copy) -> None:
    [error] = errors_of(
        config_copy, ("rules.yaml", "      role: handhaving", "      rol: handhaving")
    )
    assert (error.file, error.item, error.field) == ("rules.yaml", "wonen-handhaving", "then.rol")
    assert error.message == "unknown field" and error.hint == "did you mean 'role'?"
    assert error.line is not None
    assert "rules.yaml:" in str(error) and "wonen-handhaving" in str(error)


def test_unknown_contact_in_a_rule_is_named_with_a_near_match(config_copy) -> None:
    errors = errors_of(
        config_copy,
        (
            "rules.yaml",
            "    then:\n      role: opbouwwerker",
            "    then:\n      contact: ow-voorstd",
        ),
    )
    [error] = [e for e in errors if e.field == "then.contact"]
    assert error.item == "bewonersinitiatief-opbouwwerk"
    assert (
        error.message == "unknown id 'ow-voorstd'" and error.hint == "did you mean 'ow-voorstad'?"
    )


def test_missing_district_fallback_is_an_error(config_copy) -> None:
    errors = errors_of(config_copy, ("districts.yaml", "    fallback_contact: wm-zandweerd\n", ""))
    [error] = errors
    assert (error.file, error.item, error.field) == (
        "districts.yaml",
        "zandweerd",
        "fallback_contact",
    )
    assert "Field required" in error.message


def test_combination_without_a_contact_names_the_rule_and_neighbourhood(config_copy) -> None:
    # Nobody is wijkagent for Schalkhaar any more: the safety rules cannot give it an owner.
    errors = errors_of(
        config_copy,
        (
            "contacts.yaml",
            "role: wijkagent\n    organisation: Politie Oost-Nederland\n    districts: [schalkhaar]",
            "role: wijkagent\n    organisation: Politie Oost-Nederland\n    districts: [voorstad]",
        ),
    )
    messages = {(e.item, e.field, e.message) for e in errors}
    assert (
        "veiligheid-hoog",
        "then.role",
        "no wijkagent covers neighbourhood 'schalkhaar'",
    ) in messages
    assert any("2 contacts with role wijkagent cover 'sluiswijk'" in m for _, _, m in messages)


def test_wrong_enum_value_gets_a_hint(config_copy) -> None:
    [error] = errors_of(config_copy, ("contacts.yaml", "role: sociaal_team", "role: sociaalteam"))
    assert error.file == "contacts.yaml" and error.item == "st-intake" and error.field == "role"
    assert error.hint == "did you mean 'sociaal_team'?"


def test_yaml_syntax_error_names_the_line(config_copy) -> None:
    [error] = errors_of(
        config_copy, ("themes.yaml", "  - id: zorg", "  - id: zorg\n   bad: [unclosed")
    )
    assert error.file == "themes.yaml" and error.line is not None and "YAML syntax" in error.message


def test_duplicate_ids_are_refused(config_copy) -> None:
    errors = errors_of(
        config_copy, ("rules.yaml", "  - id: afval-wijkbeheer", "  - id: wonen-handhaving")
    )
    assert any(e.item == "wonen-handhaving" and "used twice" in e.message for e in errors)


def test_every_error_is_listed_not_just_the_first(config_copy) -> None:
    errors = errors_of(
        config_copy,
        ("rules.yaml", "      theme: afval", "      theme: afvall"),
        ("rules.yaml", "      theme: zorg", "      theme: zorgg"),
    )
    assert {e.item for e in errors} == {"afval-wijkbeheer", "zorg-sociaal-team"}
    assert all(e.hint for e in errors)


def test_invalid_time_window_is_explained(config_copy) -> None:
    [error] = errors_of(config_copy, ("rules.yaml", 'time: "22:00-07:00"', 'time: "10pm"'))
    assert error.item == "nachtelijke-herrie" and error.field == "when.time"
    assert "HH:MM-HH:MM" in error.message


def test_outcome_needs_exactly_one_owner(config_copy) -> None:
    [error] = errors_of(
        config_copy, ("rules.yaml", "      role: wijkbeheerder\n", "      deadline_days: 2\n")
    )
    assert (
        error.item == "afval-wijkbeheer" and "exactly one of 'contact' or 'role'" in error.message
    )


def test_street_in_two_neighbourhoods_must_be_split(config_copy) -> None:
    errors = errors_of(
        config_copy, ("districts.yaml", "streets: [Rijnstraat,", "streets: [Randerstraat,")
    )
    assert any(
        "Randerstraat" in e.message and "split it by house numbers" in e.message for e in errors
    )


def test_split_street_by_house_numbers_is_accepted(config_copy) -> None:
    municipality = load_municipality(
        config_copy(
            (
                "districts.yaml",
                "streets: [Rijnstraat,",
                "streets: [Randerstraat 100-200, Rijnstraat,",
            ),
            ("districts.yaml", "streets: [Randerstraat,", "streets: [Randerstraat 1-99,"),
        )
    )
    assert (
        municipality.resolve_place(street="Randerstraat", house_number="12").neighbourhood
        == "sluiswijk"
    )
    assert (
        municipality.resolve_place(street="randerstraat", house_number="150b").neighbourhood
        == "deltabuurt"
    )


def test_rule_that_can_never_match_is_a_warning(config_copy) -> None:
    path = config_copy(
        (
            "rules.yaml",
            "  - id: veiligheid-hoog",
            """  - id: veiligheid-dubbel
    when:
      theme: veiligheid
    then:
      role: wijkagent

  - id: veiligheid-hoog""",
        )
    )
    municipality = load_municipality(path)
    flagged = {w.item: w.message for w in municipality.warnings}
    assert set(flagged) == {"veiligheid-hoog", "veiligheid-wijkagent"}
    assert "earlier rule 'veiligheid-dubbel' always wins" in flagged["veiligheid-hoog"]


def test_unknown_config_file_is_reported(config_copy) -> None:
    path = config_copy()
    (path / "rule.yaml").write_text("rules: []\n")
    with pytest.raises(ConfigInvalid) as info:
        load_municipality(path)
    [error] = info.value.errors
    assert error.file == "rule.yaml" and error.hint == "did you mean 'rules.yaml'?"


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalid, match="config directory not found"):
        load_municipality(tmp_path / "nowhere")


def test_bad_area_polygon_is_reported(config_copy) -> None:
    errors = errors_of(
        config_copy,
        ("areas.geojson", '"neighbourhood": "deltabuurt"', '"neighbourhood": "deltabuur"'),
    )
    [error] = errors
    assert error.file == "areas.geojson" and error.hint == "did you mean 'deltabuurt'?"


def test_unknown_alert_theme_and_core_group_member_are_named(config_copy) -> None:
    errors = errors_of(
        config_copy,
        (
            "municipality.yaml",
            "alert_themes: [veiligheid, zorg]",
            "alert_themes: [veiligheid, zorgen]",
        ),
        ("districts.yaml", "core_group: [wa-voorstad,", "core_group: [wa-voorstd,"),
    )
    found = {(e.file, e.item, e.message, e.hint) for e in errors}
    assert ("municipality.yaml", None, "unknown id 'zorgen'", "did you mean 'zorg'?") in found
    assert (
        "districts.yaml",
        "voorstad",
        "unknown id 'wa-voorstd'",
        "did you mean 'wa-voorstad'?",
    ) in found
