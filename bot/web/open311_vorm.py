"""Open311 GeoReport v2 shapes: what a client sends, read strictly; what we answer, built here.

The spec: https://wiki.open311.org/GeoReport_v2 (JSON). Datetimes are W3C (ISO 8601 with an
offset), said in Amsterdam time. Care signals (a theme marked `sensitive`) are personal data:
their description, address, location and closing note are never served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kern.intake import NewReport
from kern.notices import signal_owner_phrase
from kern.services import Services
from kern.texts import say_date
from opslag.tabellen import AuditEventRow, SignalRow
from regels.plaats import MAX_PLACE, split_address
from regels.schema import Theme
from signalen.model import Urgency, canonical_reference
from signalen.werkdagen import AMSTERDAM
from signalen.workflow import CLOSED_STATUSES, Status

MAX_DESCRIPTION = 4000  # the spec's limit, and our column's
MAX_FIELD = 200
MAX_IDS = 100  # service_request_id values in one GET
URGENCY = "urgentie"  # the one attribute our services have (attribute[urgentie]=hoog)
STEPS = {  # what a status change is called in servicerequestupdates
    Status.GEMELD: "Melding ontvangen",
    Status.TOEGEWEZEN: "Bij de behandelaar",
    Status.IN_BEHANDELING: "In behandeling",
    Status.DOORGEZET: "Doorgestuurd",
    Status.AFGEHANDELD: "Afgehandeld",
    Status.HEROPEND: "Heropend",
    Status.GEANNULEERD: "Geannuleerd",
}


class BadRequest(ValueError):
    """Input the spec does not allow: answered 400 with this description."""


@dataclass(frozen=True)
class Query:
    """GET requests.json, read: either references, or a filter."""

    references: list[str] | None
    themes: list[str] | None
    closed: bool | None
    start: datetime
    end: datetime


def w3c(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(AMSTERDAM).replace(microsecond=0).isoformat()


def parse_w3c(name: str, value: str) -> datetime:
    """A W3C datetime with an offset (a date alone is midnight in Amsterdam)."""
    try:
        moment = datetime.fromisoformat(value.strip()[:40].replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} is not a W3C datetime (2026-11-23T09:30:00+01:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def period(
    params: dict[str, str], now: datetime, *, default: timedelta
) -> tuple[datetime, datetime]:
    end = parse_w3c("end_date", params["end_date"]) if params.get("end_date") else now
    start = parse_w3c("start_date", params["start_date"]) if params.get("start_date") else None
    try:
        start = start or end - default
    except OverflowError:
        raise BadRequest("end_date is too early") from None
    if start > end:
        raise BadRequest("start_date is after end_date")
    return start, end


def read_query(params: dict[str, str], services: Services, now: datetime) -> Query:
    ids = params.get("service_request_id")
    if ids:  # the spec: with ids, the other filters are ignored
        references = _references(ids)
        return Query(references, None, None, now, now)
    themes = None
    if params.get("service_code"):
        themes = [code.strip() for code in params["service_code"].split(",")[:MAX_IDS]]
        for code in themes:
            _theme(services, code)
    status = params.get("status", "").strip().lower()
    if status and status not in ("open", "closed", "open,closed", "closed,open"):
        raise BadRequest("status is open or closed")
    closed = {"open": False, "closed": True}.get(status)
    start, end = period(params, now, default=timedelta(days=90))
    return Query(None, themes, closed, start, end)


def _references(ids: str) -> list[str]:
    references = []
    for raw in ids.split(",")[:MAX_IDS]:
        reference = canonical_reference(raw[:40])
        if reference is None:
            raise BadRequest(f"service_request_id {raw[:40]!r} is not a reference (WS-2026-000123)")
        references.append(reference)
    return references


def _theme(services: Services, code: str) -> Theme:
    theme = services.municipality.themes.get(code)
    if theme is None:
        raise BadRequest(f"service_code {code[:40]!r} is not a service of this municipality")
    return theme


def read_report(form: dict[str, str], services: Services, now: datetime) -> NewReport:
    """POST requests.json, read: every field checked, with the spec's field names in errors."""
    for name, value in form.items():
        if name != "description" and len(value) > MAX_FIELD + 300:
            raise BadRequest(f"{name[:40]} is too long")
    code = form.get("service_code", "").strip()
    if not code:
        raise BadRequest("service_code is required")
    theme = _theme(services, code)
    description = form.get("description", "").strip()
    if not description:
        raise BadRequest("description is required")
    if len(description) > MAX_DESCRIPTION:
        raise BadRequest(f"description is longer than {MAX_DESCRIPTION} characters")
    lat, lon = _location(form)
    street = number = None
    address = form.get("address_string", "").strip()
    if address:
        if len(address) > MAX_PLACE:
            raise BadRequest(f"address_string is longer than {MAX_PLACE} characters")
        street, number = split_address(address)
    if lat is None and not address:
        raise BadRequest("a location is required: lat and long, or address_string")
    media = form.get("media_url", "").strip()
    if media:
        if not media.startswith(("https://", "http://")) or len(media) > 500 or " " in media:
            raise BadRequest("media_url is not an http(s) URL")
        description = f"{description}\n\nFoto: {media}"
        if len(description) > MAX_DESCRIPTION:
            raise BadRequest(f"description and media_url are longer than {MAX_DESCRIPTION}")
    urgency = form.get(f"attribute[{URGENCY}]", Urgency.NORMAAL.value).strip().lower()
    if urgency not in {u.value for u in Urgency}:
        raise BadRequest(f"attribute[{URGENCY}] is one of laag, normaal, hoog")
    name = " ".join(
        part for part in (form.get("first_name", "").strip(), form.get("last_name", "").strip())
    ).strip()
    detail = ", ".join(
        v for v in (form.get("email", "").strip(), form.get("phone", "").strip()) if v
    )
    return NewReport(
        description=description,
        reported_at=now,
        theme=theme.id,
        street=street or None,
        house_number=number,
        lat=lat,
        lon=lon,
        urgency=Urgency(urgency),
        anonymous=not (name or detail),
        name=name[:MAX_FIELD] or None,
        contact_detail=detail[:MAX_FIELD] or None,
        channel="open311",
    )


def _location(form: dict[str, str]) -> tuple[float | None, float | None]:
    lat, lon = form.get("lat", "").strip(), form.get("long", "").strip()
    if not lat and not lon:
        return None, None
    try:
        latitude, longitude = float(lat[:40]), float(lon[:40])
    except ValueError:
        raise BadRequest("lat and long are decimal degrees (WGS84), both required") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise BadRequest("lat and long are decimal degrees (WGS84)")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadRequest("lat is between -90 and 90, long between -180 and 180")
    return latitude, longitude


def service(theme: Theme) -> dict[str, Any]:
    return {
        "service_code": theme.id,
        "service_name": theme.label.nl,
        "description": f"{theme.label.nl} ({theme.label.en})",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(theme.keywords),
        "group": "zorg" if theme.sensitive else "buurt",
    }


def definition(theme: Theme) -> dict[str, Any]:
    return {
        "service_code": theme.id,
        "attributes": [
            {
                "variable": True,
                "code": URGENCY,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "Hoe dringend: laag, normaal (standaard) of hoog.",
                "order": 1,
                "description": "Urgentie",
                "values": [{"key": u.value, "name": u.value} for u in Urgency],
            }
        ],
    }


def notice(services: Services, signal: SignalRow) -> str:
    """What the client tells its user: the reference, who has it and by when, in words."""
    who = signal_owner_phrase(services, signal, "nl") if _known(services, signal) else "de gemeente"
    date = say_date(signal.deadline, "nl")
    who = who[0].upper() + who[1:]
    return f"Ontvangen als {signal.reference}. {who} pakt het op, uiterlijk {date}."


def _known(services: Services, signal: SignalRow) -> bool:
    return signal.contact_id in services.municipality.contacts


def _owner(services: Services, signal: SignalRow) -> str:
    """An organisation and a role, never a person's name."""
    if not _known(services, signal):  # removed from the config since
        return services.municipality.name
    contact = services.municipality.contacts[signal.contact_id]
    role = services.municipality.role_label(contact.role, "nl")
    role = role.removeprefix("de ").removeprefix("het ")
    return f"{contact.organisation} ({role})"


def is_care(services: Services, signal: SignalRow) -> bool:
    theme = services.municipality.themes.get(signal.theme or "")
    return theme is None or theme.sensitive


def request(services: Services, signal: SignalRow, closing_note: str | None) -> dict[str, Any]:
    theme = services.municipality.themes.get(signal.theme or "")
    closed = Status(signal.status) in CLOSED_STATUSES
    care = is_care(services, signal)
    public = not care
    address = None
    if public and signal.street:
        address = f"{signal.street} {signal.house_number or ''}".strip()
    return {
        "service_request_id": signal.reference,
        "status": "closed" if closed else "open",
        "status_notes": (closing_note or None) if closed and public else None,
        "service_name": theme.label.nl if theme else "Onbekend",
        "service_code": signal.theme or "onbekend",
        "description": signal.description if public else None,
        "agency_responsible": _owner(services, signal),
        "service_notice": None,
        "requested_datetime": w3c(signal.reported_at),
        "updated_datetime": w3c(signal.updated_at),
        "expected_datetime": w3c(signal.expected_at or signal.deadline),
        "address": address,
        "lat": signal.lat if public else None,
        "long": signal.lon if public else None,
    }


def update(services: Services, event: AuditEventRow, signal: SignalRow) -> dict[str, Any]:
    """One status change in FixMyStreet's servicerequestupdates form."""
    to = Status(event.to_status)
    text = STEPS[to]
    if to == Status.AFGEHANDELD and event.note and not is_care(services, signal):
        text = f"{text}: {event.note}"
    status = (
        "closed"
        if to in CLOSED_STATUSES
        else "in_progress"
        if to == Status.IN_BEHANDELING
        else "open"
    )
    return {
        "update_id": str(event.id),
        "service_request_id": signal.reference,
        "status": status,
        "updated_datetime": w3c(event.at),
        "description": text,
        "media_url": "",
    }
