"""Open311 GeoReport v2 on the chat's core: a back office reports, the owner acts in Telegram,
the API shows it. Every answer is checked against the GeoReport v2 schemas (georeport_schemas)."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from bot.web.openapi import SCHEMAS
from tests.web import georeport_schemas as spec
from tests.web.conftest import KEYS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:websockets")

DELTABUURT = {"lat": "52.2555", "long": "6.1452"}


def ok(response, schema) -> object:
    assert response.status_code == 200, response.text
    body = response.json()
    spec.validate(schema, body)
    return body


def refused(response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    spec.validate(spec.ERRORS, body)
    assert body[0]["code"] == status
    assert fragment in body[0]["description"]


async def test_services_list_every_theme_and_their_definitions(api, deventer) -> None:
    services = ok(await api("GET", "services.json"), spec.SERVICE_LIST)
    assert [s["service_code"] for s in services] == list(deventer.themes)
    afval = next(s for s in services if s["service_code"] == "afval")
    assert afval["service_name"] == "Afval" and afval["type"] == "realtime"
    assert "container" in afval["keywords"]
    definition = ok(await api("GET", "services/afval.json"), spec.SERVICE_DEFINITION)
    assert definition["attributes"][0]["code"] == "urgentie"
    refused(await api("GET", "services/bestaat_niet.json"), 404, "bestaat_niet")


async def test_a_back_office_report_reaches_the_owner_and_the_api_shows_it_closed(
    api, link_contact, services
) -> None:
    owner = await link_contact("wb-rivierenwijk", 2001, "Olaf")
    created = ok(
        await api(
            "POST",
            "requests.json",
            service_code="afval",
            address_string="Rijnstraat 12",
            description="Zakken naast de ondergrondse container",
            email="bewoner@example.nl",
            first_name="An",
        ),
        spec.POST_REQUEST_RESPONSE,
    )
    reference = created[0]["service_request_id"]
    notice = created[0]["service_notice"]
    assert notice.startswith(
        f"Ontvangen als {reference}. De wijkbeheerder voor Deltabuurt (Gemeente Deventer, Wijkbeheer) pakt"
    )
    assert "Olaf" not in notice

    card = await owner.expect(f"Nieuwe melding {reference}")
    assert "Zakken naast de ondergrondse container" in card.body
    shown = ok(await api("GET", f"requests/{reference}.json"), spec.REQUEST_LIST)[0]
    assert (shown["status"], shown["status_notes"]) == ("open", None)
    assert shown["address"] == "Rijnstraat 12"
    assert (
        "Olaf" not in shown["agency_responsible"] and "wijkbeheerder" in shown["agency_responsible"]
    )
    assert shown["expected_datetime"] >= shown["requested_datetime"]

    await owner.taps("Afgerond", card)
    await owner.expect("Wat is er gedaan met")
    await owner.says("Zakken opgehaald, eigenaar aangesproken")
    await owner.expect(f"{reference} is afgerond")

    shown = ok(await api("GET", f"requests/{reference}.json"), spec.REQUEST_LIST)[0]
    assert shown["status"] == "closed"
    assert shown["status_notes"] == "Zakken opgehaald, eigenaar aangesproken"
    listed = ok(
        await api("GET", "requests.json", service_request_id=f"{reference},ws 2026 999"),
        spec.REQUEST_LIST,
    )
    assert [r["service_request_id"] for r in listed] == [reference]
    closed = ok(await api("GET", "requests.json", status="closed"), spec.REQUEST_LIST)
    assert [r["service_request_id"] for r in closed] == [reference]
    assert ok(await api("GET", "requests.json", status="open"), spec.REQUEST_LIST) == []
    updates = ok(await api("GET", "servicerequestupdates.json"), spec.SERVICE_REQUEST_UPDATES)
    steps = [(u["service_request_id"], u["status"]) for u in updates]
    assert steps[0] == (reference, "open") and steps[-1] == (reference, "closed")
    assert updates[-1]["description"] == "Afgehandeld: Zakken opgehaald, eigenaar aangesproken"


async def test_care_requests_never_show_what_was_written_or_where(
    api, link_contact, services
) -> None:
    created = ok(
        await api(
            "POST",
            "requests.json",
            service_code="zorg",
            description="Mevrouw op nummer 3 komt al weken niet buiten",
            address_string="Rijnstraat 3",
            phone="0612345678",
        ),
        spec.POST_REQUEST_RESPONSE,
    )
    reference = created[0]["service_request_id"]
    for shown in (
        ok(await api("GET", f"requests/{reference}.json"), spec.REQUEST_LIST)[0],
        ok(await api("GET", "requests.json"), spec.REQUEST_LIST)[0],
    ):
        assert shown["service_code"] == "zorg"
        assert shown["description"] is None and shown["address"] is None
        assert shown["lat"] is None and shown["long"] is None
    text = (await api("GET", "servicerequestupdates.json")).text
    assert "Mevrouw" not in text and "Rijnstraat" not in text


async def test_a_located_request_is_routed_by_its_place(api, services) -> None:
    created = ok(
        await api(
            "POST",
            "requests.json",
            service_code="afval",
            description="Bankstel op de stoep",
            **DELTABUURT,
            **{"attribute[urgentie]": "hoog"},
        ),
        spec.POST_REQUEST_RESPONSE,
    )
    shown = ok(
        await api("GET", f"requests/{created[0]['service_request_id']}.json"), spec.REQUEST_LIST
    )[0]
    assert (shown["lat"], shown["long"]) == (52.2555, 6.1452)


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "fragment"),
    [
        ("POST", "requests.json", {"api_key": ""}, 403, "api_key"),
        ("POST", "requests.json", {"api_key": "wrong"}, 403, "api_key"),
        ("GET", "requests.json", {"api_key": "wrong"}, 403, "api_key"),
        ("GET", "servicerequestupdates.json", {"api_key": ""}, 403, "api_key"),
        (
            "POST",
            "requests.json",
            {"description": "x", "lat": "52", "long": "6"},
            400,
            "service_code",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "parkeren", "description": "x"},
            400,
            "parkeren",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "lat": "52", "long": "6"},
            400,
            "description",
        ),
        ("POST", "requests.json", {"service_code": "afval", "description": "x"}, 400, "location"),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "description": "x", "lat": "52"},
            400,
            "long",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "description": "x", "lat": "NaN", "long": "6"},
            400,
            "lat",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "description": "x", "lat": "95", "long": "6"},
            400,
            "lat",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "description": "x" * 4001, "lat": "52", "long": "6"},
            400,
            "4000",
        ),
        (
            "POST",
            "requests.json",
            {"service_code": "afval", "description": "x", "address_string": "R" * 200},
            400,
            "address_string",
        ),
        (
            "POST",
            "requests.json",
            {
                "service_code": "afval",
                "description": "x",
                "lat": "52",
                "long": "6",
                "media_url": "javascript:alert(1)",
            },
            400,
            "media_url",
        ),
        (
            "POST",
            "requests.json",
            {
                "service_code": "afval",
                "description": "x",
                "lat": "52",
                "long": "6",
                "attribute[urgentie]": "nu!",
            },
            400,
            "urgentie",
        ),
        ("GET", "requests.json", {"start_date": "gisteren"}, 400, "start_date"),
        (
            "GET",
            "requests.json",
            {"start_date": "2026-11-20", "end_date": "2026-11-01"},
            400,
            "after",
        ),
        ("GET", "requests.json", {"status": "half"}, 400, "status"),
        ("GET", "requests.json", {"end_date": "0001-01-01T00:00:00+00:00"}, 400, "end_date"),
        ("GET", "requests.json", {"service_code": "afval,parkeren"}, 400, "parkeren"),
        ("GET", "requests.json", {"service_request_id": "12;DROP"}, 400, "reference"),
        ("GET", "requests/WS-2026-000999.json", {}, 404, "WS-2026-000999"),
        ("GET", "requests/../../etc/passwd.json", {}, 404, ""),
        ("GET", "requests/abc.json", {}, 404, "abc"),
        ("GET", "servicerequestupdates.json", {"end_date": "2026-13-01"}, 400, "end_date"),
        ("DELETE", "requests.json", {}, 405, "method"),
        ("GET", "discovery.json", {}, 404, "endpoint"),
    ],
)
async def test_every_error_is_the_spec_error_list_with_its_status(
    api, method, path, params, status, fragment
) -> None:
    refused(await api(method, path, **params), status, fragment)


async def test_too_large_and_non_form_bodies_are_refused(served) -> None:
    url = "/open311/v2/requests.json"
    big = {"api_key": KEYS[0], "description": "x" * 70_000}
    refused(await served.client.post(url, data=big), 413, "larger")
    refused(
        await served.client.post(url, content=b"{}", headers={"content-type": "application/json"}),
        415,
    )
    broken = await served.client.post(
        url,
        content=b"api_key=" + KEYS[0].encode() + b"&description=%FF%FE",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    refused(broken, 400)


async def test_the_openapi_description_matches_the_routes_and_its_schemas_are_valid(served) -> None:
    document = (await served.client.get("/openapi.json")).json()
    assert set(document["paths"]) == {route.path for route in served.app.routes}  # type: ignore[attr-defined]
    assert "/telegram/updates" in document["paths"]
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)
    assert document["paths"]["/open311/v2/requests.json"].keys() == {"get", "post"}


def test_the_schemas_accept_the_specs_own_examples() -> None:
    for name, example in spec.SPEC_EXAMPLES.items():
        spec.validate(spec.SCHEMAS[name], example)
