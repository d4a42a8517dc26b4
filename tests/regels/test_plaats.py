import pytest

from regels.gemeente import Municipality


@pytest.mark.parametrize(
    ("street", "neighbourhood"),
    [
        ("Randerstraat", "sluiswijk"),
        ("randerstraat", "sluiswijk"),
        ("D.G. van der Keesselstraat", "gerard-ter-borchbuurt"),
        ("dg van der keesselstraat", "gerard-ter-borchbuurt"),
        ("Joh Fred Gronoviusstraat", "gerard-ter-borchbuurt"),
        ("Rijnstraat", "deltabuurt"),
    ],
)
def test_street_names_are_found_however_they_are_typed(
    deventer: Municipality, street, neighbourhood
) -> None:
    place = deventer.resolve_place(street=street, house_number="3")
    assert (place.neighbourhood, place.how) == (neighbourhood, "street")
    assert place.district == deventer.district_of[neighbourhood]


def test_unknown_street_gets_suggestions(deventer: Municipality) -> None:
    place = deventer.resolve_place(street="Randerstrat")
    assert place.neighbourhood is None and place.how == "unknown"
    assert place.suggestions[0] == "Randerstraat"


@pytest.mark.parametrize(
    ("lat", "lon", "neighbourhood"),
    [
        (52.2570, 6.1800, "sluiswijk"),
        (52.2410, 6.1700, "deltabuurt"),
        (52.2720, 6.1950, "schalkhaar"),
    ],
)
def test_shared_location_finds_the_neighbourhood(
    deventer: Municipality, lat, lon, neighbourhood
) -> None:
    place = deventer.resolve_place(lat=lat, lon=lon)
    assert (place.neighbourhood, place.how) == (neighbourhood, "location")


def test_location_outside_every_area_falls_back_to_the_street(deventer: Municipality) -> None:
    place = deventer.resolve_place(lat=52.0, lon=5.0, street="Rijnstraat")
    assert (place.neighbourhood, place.how) == ("deltabuurt", "street")


def test_neighbourhood_by_name_or_id(deventer: Municipality) -> None:
    assert deventer.resolve_place(neighbourhood="Het Oostrik").neighbourhood == "oostrik"
    assert (
        deventer.resolve_place(neighbourhood="colmschate-zuid").neighbourhood == "colmschate-zuid"
    )
