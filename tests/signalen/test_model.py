"""References and places as people type and say them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signalen.model import (
    Place,
    canonical_reference,
    format_reference,
    parse_reference,
    parse_small_int,
)


@pytest.mark.parametrize(
    ("year", "sequence", "reference"),
    [(2026, 1, "WS-2026-000001"), (2026, 123, "WS-2026-000123"), (2027, 999999, "WS-2027-999999")],
)
def test_reference_is_sequential_per_year(year: int, sequence: int, reference: str) -> None:
    assert format_reference(year, sequence) == reference
    assert parse_reference(reference) == (year, sequence)


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("WS-2026-000001", (2026, 1)),
        ("WS 2026 000001", (2026, 1)),
        ("ws-2026-1", (2026, 1)),
        ("ws2026-1", (2026, 1)),
        ("WS-2026-1 ", (2026, 1)),
        ("ws-2026-000123", (2026, 123)),
        (" WS-2026-000123 ", (2026, 123)),
        ("WS - 2026 - 000123", (2026, 123)),
        ("Ws2026 123", (2026, 123)),
        ("WS2026000123", (2026, 123)),
        ("\tWS-2026-123\n", (2026, 123)),
        ("WS-2027-999999", (2027, 999999)),
    ],
)
def test_references_are_understood_as_people_type_them(typed: str, parsed: tuple[int, int]) -> None:
    assert parse_reference(typed) == parsed


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "hallo",
        "WS",
        "WS-26-1",
        "WS-20261-1",
        "AB-2026-000001",
        "WS-2026-000000",
        "WS-2026-0",
        "WS-2026-1000000",
        "WS-2026-0000001",
        "WS-2026-",
        "WS--2026-1",
        "WS-2026--1",
        "WS-2026-1a",
        "xWS-2026-1",
        "WS-2026-1 en nog wat",
        "WS_2026_1",
        "WS-2026-+1",
        "WS-2026-1_0",
        "WS-²⁰²⁶-1",
        "WS-2026-²",
        "WS-٢٠٢٦-١",  # Arabic-Indic digits
        "WS-２０２６-１",  # fullwidth digits
        "\u017fWS-2026-1",
        "W\u017f-2026-1",  # long s, which a Unicode case-insensitive match takes for 's'
        "WS\u00a02026\u00a01",  # no-break spaces inside
        "WS-2026-1" + " " * 32,  # 41 characters
        "WS-2026-000001" + "0" * 100_000,
    ],
)
def test_other_text_is_not_a_reference(typed: str) -> None:
    assert parse_reference(typed) is None
    assert canonical_reference(typed) is None


def test_text_of_exactly_forty_characters_may_still_be_a_reference() -> None:
    typed = "WS-2026-1".center(40)
    assert len(typed) == 40 and parse_reference(typed) == (2026, 1)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ws2026-1", "WS-2026-000001"),
        ("WS 2026 000123", "WS-2026-000123"),
        ("WS-2026-000123", "WS-2026-000123"),
        ("ws - 2027 - 999999 ", "WS-2027-999999"),
    ],
)
def test_typed_reference_is_printed_in_its_canonical_form(typed: str, canonical: str) -> None:
    assert canonical_reference(typed) == canonical


@settings(database=None)
@given(st.text())
def test_parse_reference_never_raises_on_any_text(text: str) -> None:
    parsed = parse_reference(text)
    assert parsed is None or (len(text) <= 40 and 1 <= parsed[1] <= 999_999)


@settings(database=None)
@given(st.text(alphabet="WSws0123456789- ²٣\u017f", max_size=45))
def test_anything_close_to_a_reference_parses_to_one_that_round_trips(text: str) -> None:
    parsed = parse_reference(text)
    if parsed is not None:
        assert parse_reference(format_reference(*parsed)) == parsed


@settings(database=None)
@given(st.integers(0, 9999), st.integers(1, 999_999))
def test_formatted_reference_parses_back(year: int, sequence: int) -> None:
    reference = format_reference(year, sequence)
    assert parse_reference(reference) == (year, sequence)
    assert parse_reference(reference.lower().replace("-", " ")) == (year, sequence)
    assert canonical_reference(reference) == reference


@pytest.mark.parametrize(
    ("text", "upper", "number"),
    [
        ("0", 10, 0),
        ("9", 10, 9),
        ("10", 10, None),
        ("99", 100, 99),
        ("07", 100, 7),
        ("100", 100, None),
        ("1000", 100, None),
        ("", 10, None),
        (" 1", 10, None),
        ("1 ", 10, None),
        ("-1", 10, None),
        ("+1", 10, None),
        ("1.0", 10, None),
        ("1_0", 100, None),
        ("²", 10, None),
        ("٣", 10, None),
        ("１", 10, None),
        ("9" * 5000, 10, None),
        ("0", 0, None),
    ],
)
def test_small_int_is_parsed_strictly(text: str, upper: int, number: int | None) -> None:
    assert parse_small_int(text, upper=upper) == number


@settings(database=None)
@given(st.text(max_size=12), st.integers(1, 10_000))
def test_parse_small_int_never_raises_and_stays_below_upper(text: str, upper: int) -> None:
    number = parse_small_int(text, upper=upper)
    assert number is None or 0 <= number < upper


def test_reference_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        format_reference(2026, 0)


@pytest.mark.parametrize(
    ("place", "said"),
    [
        (
            Place(street="Randerstraat", house_number="12", neighbourhood="Sluiswijk"),
            "Randerstraat 12, Sluiswijk",
        ),
        (Place(neighbourhood="Deltabuurt"), "Deltabuurt"),
        (Place(lat=52.25, lon=6.16), "52.25000, 6.16000"),
        (Place(), "onbekende plek"),
    ],
)
def test_place_is_described_as_a_person_would(place: Place, said: str) -> None:
    assert place.describe() == said
