import pytest

from signalen.model import Place, format_reference, parse_reference


@pytest.mark.parametrize(
    ("year", "sequence", "reference"),
    [(2026, 1, "WS-2026-000001"), (2026, 123, "WS-2026-000123"), (2027, 999999, "WS-2027-999999")],
)
def test_reference_is_sequential_per_year(year: int, sequence: int, reference: str) -> None:
    assert format_reference(year, sequence) == reference
    assert parse_reference(reference) == (year, sequence)


@pytest.mark.parametrize("typed", ["ws-2026-000123", " WS-2026-000123 ", "WS - 2026 - 000123"])
def test_typed_references_are_understood(typed: str) -> None:
    assert parse_reference(typed) == (2026, 123)


@pytest.mark.parametrize("typed", ["", "WS-26-1", "AB-2026-000001", "WS-2026-000000", "hallo"])
def test_other_text_is_not_a_reference(typed: str) -> None:
    assert parse_reference(typed) is None


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
