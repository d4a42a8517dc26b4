"""The OpenAPI 3.1 description of `wijksignaal serve`, served at /openapi.json.

Written out rather than generated: Open311 takes forms and answers with its own error lists,
which a generator would describe wrongly. tests/web keeps it equal to the app's routes and
checks answers against the GeoReport v2 schemas.
"""

from __future__ import annotations

from typing import Any

PREFIX = "/open311/v2"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "bad input",
        403: "api_key missing or not valid",
        404: "unknown id",
        413: "body too large",
        415: "not a form",
        503: "try again shortly",
    }
    return {str(code): _json(_ref("Errors"), words[code]) for code in codes}


def _query(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


API_KEY = _query("api_key", "one of OPEN311_API_KEYS", required=True)
START = _query("start_date", "W3C datetime, e.g. 2026-11-23T00:00:00+01:00")
END = _query("end_date", "W3C datetime")
NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
    "Service": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string", "description": "the theme's id"},
            "service_name": {"type": "string"},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Created": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id"],
            "properties": {
                "service_request_id": {"type": "string", "examples": ["WS-2026-000123"]},
                "service_notice": {"type": "string"},
            },
        },
    },
    "ServiceRequest": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING,
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": {
                **NULLABLE_STRING,
                "description": "null for care signals (personal data)",
            },
            "agency_responsible": {"type": "string", "description": "organisation and role"},
            "service_notice": NULLABLE_STRING,
            "requested_datetime": {"type": "string"},
            "updated_datetime": {"type": "string"},
            "expected_datetime": {"type": "string", "description": "the deadline"},
            "address": {**NULLABLE_STRING, "description": "null for care signals"},
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
        },
    },
    "ServiceRequestUpdate": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime"],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "in_progress", "closed"]},
            "updated_datetime": {"type": "string"},
            "description": {"type": "string"},
            "media_url": {"type": "string"},
        },
    },
}

FORM_FIELDS = {
    "api_key": "one of OPEN311_API_KEYS",
    "service_code": "a service_code from services.json",
    "lat": "WGS84 latitude (with long, or give address_string)",
    "long": "WGS84 longitude",
    "address_string": "street and number, e.g. Rijnstraat 12",
    "description": "what is wrong, at most 4,000 characters",
    "email": "the reporter's e-mail (optional)",
    "first_name": "optional",
    "last_name": "optional",
    "phone": "optional",
    "media_url": "a photo's http(s) URL (optional)",
    "attribute[urgentie]": "laag, normaal (default) or hoog",
}


def document(server: str, webhook: str) -> dict[str, Any]:
    many = {"type": "array"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wijksignaal: Open311 GeoReport v2 and the Telegram webhook",
            "version": "2",
            "description": "GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only, "
            "plus FixMyStreet's servicerequestupdates. Care signals never show their "
            "description, address, location or closing note.",
        },
        "servers": [{"url": server}],
        "paths": {
            f"{PREFIX}/services.json": {
                "get": {
                    "summary": "One service per theme",
                    "responses": {"200": _json({**many, "items": _ref("Service")}, "services")},
                }
            },
            f"{PREFIX}/services/{{code}}.json": {
                "get": {
                    "summary": "The attributes a service takes",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("ServiceDefinition"), "definition"),
                        **_errors(404),
                    },
                }
            },
            f"{PREFIX}/requests.json": {
                "post": {
                    "summary": "Report a problem; it is routed to one owner like a chat report",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["api_key", "service_code", "description"],
                                    "properties": {
                                        name: {"type": "string", "description": words}
                                        for name, words in FORM_FIELDS.items()
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("Created"), "the new request's id and who has it"),
                        **_errors(400, 403, 413, 415, 503),
                    },
                },
                "get": {
                    "summary": "Requests by id, or filtered (default the last 90 days, max 1,000)",
                    "parameters": [
                        API_KEY,
                        _query("service_request_id", "comma-separated ids; other filters ignored"),
                        _query("service_code", "comma-separated service codes"),
                        _query("status", "open or closed"),
                        START,
                        END,
                    ],
                    "responses": {
                        "200": _json({**many, "items": _ref("ServiceRequest")}, "requests"),
                        **_errors(400, 403, 503),
                    },
                },
            },
            f"{PREFIX}/requests/{{id}}.json": {
                "get": {
                    "summary": "One request (a list of one)",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        API_KEY,
                    ],
                    "responses": {
                        "200": _json({**many, "items": _ref("ServiceRequest")}, "the request"),
                        **_errors(403, 404, 503),
                    },
                }
            },
            f"{PREFIX}/servicerequestupdates.json": {
                "get": {
                    "summary": "Status changes in a period (FixMyStreet; default the last day)",
                    "parameters": [API_KEY, START, END],
                    "responses": {
                        "200": _json({**many, "items": _ref("ServiceRequestUpdate")}, "updates"),
                        **_errors(400, 403, 503),
                    },
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "it"}}}
            },
            "/healthz": {
                "get": {
                    "summary": "200 when the database answers",
                    "responses": {"200": {"description": "ok"}, "503": {"description": "down"}},
                }
            },
            webhook: {
                "post": {
                    "summary": "Telegram delivers updates here (the path of "
                    "WIJKSIGNAAL_WEBHOOK_URL), with X-Telegram-Bot-Api-Secret-Token",
                    "responses": {
                        "200": {"description": "stored (and normally handled)"},
                        "400": {"description": "not an update"},
                        "403": {"description": "no or wrong secret"},
                        "503": {"description": "not stored; Telegram delivers again"},
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
