"""JSON Schemas (draft 2020-12) for the JSON responses of Open311 GeoReport v2, plus the
FixMyStreet / mySociety extension ``GET servicerequestupdates.json``.

Spec: https://wiki.open311.org/GeoReport_v2/ (Markdown source of the same page:
open311/open311.github.io, ``GeoReport_v2/index.md``). The spec defines JSON as a mechanical
mapping of its XML ("JSON Support": the Spark convention,
https://wiki.open311.org/JSON_and_XML_Conversion/, source ``JSON_and_XML_Conversion.md`` in the
same repository). Three consequences shape every schema below:

* the XML root element is dropped and a repeated child becomes an array, so each response is
  a bare JSON array (``[...]``), not ``{"services": [...]}``;
* an empty XML element becomes ``null`` (the spec's own JSON examples show ``null`` where the
  XML example has an empty element);
* the XML is schemaless text, and the spec's JSON examples print numeric-looking values as JSON
  numbers (``"service_request_id":638344``, ``"zipcode":94122``, ``"key":123``), so identifiers
  are accepted as a non-empty string or an integer.

Required/nullable rule. The response tables have no "required" column; the only optionality
marker is "May not be returned". The spec's definition of optional arguments says "a null
parameter should be treated as equivalent to a non-declared parameter", so here null and
absent are treated alike: a field is either required and non-null, or optional and nullable.
Required and non-null: identifiers, names, the enumerations and booleans that drive a client,
and a request's ``requested_datetime``/``updated_datetime``. Optional and nullable: everything
marked "May not be returned", free text, and the fields whose value depends on what the
client chose to send (description, media_url, and the location alternatives lat/long,
address, address_id, zipcode: a request is located by *one* of them).

Other things checked while writing this (see the comment above each schema):

* open311/schema-validation ``schema/georeport-v2/*.json``: the Open311 project's own
  validator (JSON Schema without a $schema line). It types every identifier as a string,
  which the spec's JSON examples contradict; otherwise its required lists are close to the
  rule above.
* mysociety/fixmystreet ``perllib/Open311/Endpoint.pm``, ``Endpoint/Schema.pm``,
  ``Endpoint/Spark.pm``, ``Endpoint/Role/mySociety.pm`` (Data::Rx output schemas of
  mySociety's Open311 server library) and mysociety/open311-adapter
  ``perllib/Open311/Endpoint/Role/mySociety.pm`` (the current version of the updates schema).
* mysociety/fixmystreet.com ``_site/open311-openapi/open311.json``: mySociety's OpenAPI 3
  description of "Open311, SocietyWorks version" (https://pages.mysociety.org/fixmystreet.com/
  open311-openapi/), i.e. GeoReport v2 plus the FixMyStreet extensions.

Extra keys are allowed everywhere: the spec only *recommends* not adding foreign tags, and its
own Extensions page (https://wiki.open311.org/GeoReport_v2/Extensions/) documents servers that
add ``attributes``, ``extended_attributes`` and ``notes``.

Date-times are checked with a regular expression rather than ``"format": "date-time"``:
jsonschema only checks that format when the optional ``rfc3339-validator`` package is
installed, and RFC 3339 requires seconds where the W3C note the spec cites does not.
``media_url`` is likewise a plain string, not ``"format": "uri"`` (needs ``rfc3987``; and the
spec's own example value ends in a space).
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SPEC_URL = "https://wiki.open311.org/GeoReport_v2/"

# ---------------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------------

# "All date/time fields must be formatted in a common subset of ISO 8601 as per the w3 note.
# Timezone information (either Z meaning UTC, or an HH:MM offset from UTC) must be included."
# (spec, "Date/time format"; https://www.w3.org/TR/NOTE-datetime). The W3C note's forms that
# can carry a time zone are hh:mm, hh:mm:ss and hh:mm:ss.s; the date-only forms cannot, so the
# spec's "must include a time zone" rules them out. [0-9] rather than \d: Python's re (which
# jsonschema uses) lets \d match non-ASCII digits.
W3C_DATETIME_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)

_DATETIME: dict[str, Any] = {"type": "string", "pattern": W3C_DATETIME_PATTERN}
_DATETIME_OR_NULL: dict[str, Any] = {"type": ["string", "null"], "pattern": W3C_DATETIME_PATTERN}

# Identifiers: the XML is text; the spec's JSON examples print numeric ones as numbers.
# minLength only applies to strings; an empty element would be null under Spark, not "".
_IDENTIFIER: dict[str, Any] = {"type": ["string", "integer"], "minLength": 1}
_IDENTIFIER_OR_NULL: dict[str, Any] = {"type": ["string", "integer", "null"], "minLength": 1}

_TEXT: dict[str, Any] = {"type": "string"}
_TEXT_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}

# ---------------------------------------------------------------------------------------------
# GET Service List: GET /services.json
# Spec: https://wiki.open311.org/GeoReport_v2/ section "GET Service List" (Response table and
#   JSON example).
# Checked: open311/schema-validation schema/georeport-v2/service.json (required service_code,
#   service_name, metadata, type; description/keywords/group string-or-null: same as here
#   apart from service_code's type); mysociety/fixmystreet perllib/Open311/Endpoint/Schema.pm
#   type /open311/service (also requires description; formats metadata as the *strings*
#   "true"/"false" - the spec's JSON example uses JSON booleans, followed here);
#   mysociety/fixmystreet.com _site/open311-openapi/open311.json components.schemas.Service
#   (requires only service_code, service_name, type; adds a non-standard "groups" array).
# Spec example quirk: "service_code":001 is not valid JSON (RFC 8259 forbids leading zeros);
#   the XML tab has the text "001", so SPEC_EXAMPLES uses the string "001".
# ---------------------------------------------------------------------------------------------
SERVICE: dict[str, Any] = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": _IDENTIFIER,
        "service_name": _TEXT,
        "description": _TEXT_OR_NULL,
        # true: the client must call GET Service Definition for extra attributes.
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        # "A comma separated list of tags or keywords": one string, not a JSON array.
        "keywords": _TEXT_OR_NULL,
        "group": _TEXT_OR_NULL,
    },
}

SERVICE_LIST: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "GeoReport v2 GET Service List (services.json)",
    "type": "array",
    "items": SERVICE,
}

# ---------------------------------------------------------------------------------------------
# GET Service Definition: GET /services/{service_code}.json
# Spec: https://wiki.open311.org/GeoReport_v2/ section "GET Service Definition". Unlike the
#   other responses, the JSON example is a single object (the root <service_definition> holds
#   service_code and <attributes>, not a repeated child), so this is not an array.
# - order: "Any positive integer not used for other attributes in the same service_code".
#   Uniqueness across attributes cannot be said in JSON Schema; check it in the test if needed.
# - values: only meaningful for singlevaluelist/multivaluelist ("a set of predefined values
#   (specified in this response)"), so it is required (as an array) for those two datatypes
#   and optional/nullable otherwise.
# - key: the spec's JSON example has "key":123 (a number), the XML "<key>123</key>".
# Checked: open311/schema-validation schema/georeport-v2/service-definition.json (required
#   variable, code, datatype, required; order integer-or-null); mysociety/fixmystreet
#   perllib/Open311/Endpoint/Schema.pm type /open311/attribute (requires all seven fields and
#   formats the booleans as strings); mysociety/fixmystreet.com open311.json
#   ServiceAttribute/AttributeValue (adds non-standard "automated" and "disable_message").
# ---------------------------------------------------------------------------------------------
ATTRIBUTE_DATATYPES = (
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
)

_ATTRIBUTE_VALUE: dict[str, Any] = {
    "type": "object",
    "required": ["key", "name"],
    "properties": {
        "key": _IDENTIFIER,
        "name": _TEXT,
    },
}

_ATTRIBUTE: dict[str, Any] = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order"],
    "properties": {
        # false: the attribute only shows information (in description) to the user.
        "variable": {"type": "boolean"},
        "code": _IDENTIFIER,
        "datatype": {"enum": list(ATTRIBUTE_DATATYPES)},
        "required": {"type": "boolean"},
        # The spec's own JSON example has "datatype_description":null.
        "datatype_description": _TEXT_OR_NULL,
        "order": {"type": "integer", "minimum": 1},
        "description": _TEXT_OR_NULL,
        "values": {"type": ["array", "null"], "items": _ATTRIBUTE_VALUE},
    },
    "if": {
        "required": ["datatype"],
        "properties": {"datatype": {"enum": ["singlevaluelist", "multivaluelist"]}},
    },
    "then": {"required": ["values"], "properties": {"values": {"type": "array"}}},
}

SERVICE_DEFINITION: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "GeoReport v2 GET Service Definition (services/{service_code}.json)",
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": _IDENTIFIER,
        "attributes": {"type": "array", "items": _ATTRIBUTE},
    },
}

# ---------------------------------------------------------------------------------------------
# POST Service Request: response of POST /requests.json
# Spec: https://wiki.open311.org/GeoReport_v2/ section "POST Service Request", Response table:
#   service_request_id "should not be returned if token is returned", token "should not be
#   returned if service_request_id is returned", service_notice and account_id "May not be
#   returned". The JSON example has "service_request_id":293944 (number), "account_id":null.
# - Never both an id and a token. Neither is allowed too: for a service of type "blackbox"
#   "No service request ID will be returned after the service request is submitted"
#   (GET Service List, type). realtime returns service_request_id, batch returns token.
# - The GET /tokens/{token}.json response ([{"service_request_id":..., "token":...}]) is a
#   different endpoint that returns both; it is not covered by this schema.
# Checked: mysociety/fixmystreet perllib/Open311/Endpoint.pm POST_Service_Request_output_schema
#   (service_request_id for realtime, token for batch, neither for blackbox; service_notice
#   and account_id optional); mysociety/fixmystreet.com open311.json RequestResponse (all
#   four optional).
# ---------------------------------------------------------------------------------------------
_POST_REQUEST_RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "service_request_id": _IDENTIFIER,
        "token": _IDENTIFIER,
        "service_notice": _TEXT_OR_NULL,
        "account_id": _IDENTIFIER_OR_NULL,
    },
    "not": {"required": ["service_request_id", "token"]},
}

POST_REQUEST_RESPONSE: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "GeoReport v2 POST Service Request response (requests.json)",
    "type": "array",
    "items": _POST_REQUEST_RESULT,
}

# ---------------------------------------------------------------------------------------------
# GET Service Requests: GET /requests.json, and GET Service Request: GET /requests/{id}.json
# (the single-request call returns the same array, with one element).
# Spec: https://wiki.open311.org/GeoReport_v2/ sections "GET Service Requests" and
#   "GET Service Request" (identical Response tables and JSON examples).
# - status: "Options: open, closed" only. FixMyStreet/SocietyWorks servers may send more
#   (FIXMYSTREET_STATUSES below, from mysociety/fixmystreet.com open311.json
#   components.schemas.Request); the spec is followed here.
# - "May not be returned": status_notes, agency_responsible, service_notice, expected_datetime.
# - description/media_url are optional when the request is POSTed; the location is "one of
#   lat & long or address_string or address_id", so address, address_id, zipcode, lat and long
#   may each be missing. The spec's JSON example has "description":null etc.
# - updated_datetime: "For requests with status=closed, this will be the date the request was
#   closed" - always defined, so required (open311/schema-validation allows null: not followed).
# - lat/long: numbers (the spec's JSON example) in WGS84, so within the usual ranges.
# - zipcode: the JSON example has 94122 as a number; a string is accepted too (postal codes
#   may have leading zeros or letters, e.g. Dutch "7411 AB").
# - service_code: the JSON example's 006 is invalid JSON (see SERVICE above); "006" is used.
# - media_url: the first item of the spec's example ends in a space ("...638344.jpg "), one
#   reason this is not "format": "uri".
# Checked: open311/schema-validation schema/georeport-v2/request.json (required
#   service_request_id, status, service_code, requested_datetime; all ids strings);
#   mysociety/fixmystreet perllib/Open311/Endpoint/Schema.pm /open311/service_request (requires
#   address, address_id, zipcode, lat, long, media_url as non-null strings/numbers - stricter
#   than the spec's own example, which has nulls); mysociety/fixmystreet
#   perllib/FixMyStreet/App/Controller/Open311.pm (FixMyStreet's *own* read-only server emits
#   {"requests":[{"request":[...]}]} with agency_responsible as {"recipient":[...]}: not the
#   spec's shape, and not accepted here).
# ---------------------------------------------------------------------------------------------
REQUEST_STATUSES = ("open", "closed")

SERVICE_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": [
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "requested_datetime",
        "updated_datetime",
    ],
    "properties": {
        "service_request_id": _IDENTIFIER,
        "status": {"enum": list(REQUEST_STATUSES)},
        "status_notes": _TEXT_OR_NULL,
        "service_name": _TEXT,
        "service_code": _IDENTIFIER,
        # "free form text limited to 4,000 characters" (spec, description).
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": _TEXT_OR_NULL,
        "service_notice": _TEXT_OR_NULL,
        "requested_datetime": _DATETIME,
        "updated_datetime": _DATETIME,
        "expected_datetime": _DATETIME_OR_NULL,
        "address": _TEXT_OR_NULL,
        "address_id": _IDENTIFIER_OR_NULL,
        "zipcode": {"type": ["string", "integer", "null"]},
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "media_url": _TEXT_OR_NULL,
    },
}

REQUEST_LIST: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "GeoReport v2 GET Service Requests / GET Service Request (requests[/{id}].json)",
    "type": "array",
    "items": SERVICE_REQUEST,
}

# ---------------------------------------------------------------------------------------------
# Errors: the body of any 4xx response.
# Spec: https://wiki.open311.org/GeoReport_v2/ section "Errors": "Multiple errors codes and
#   descriptions can be returned in the body (the response is an array)". The JSON example is
#   [{"code":403,"description":"Invalid api_key received -- can't proceed with create_request."}]
#   - code is a JSON number there, and no spec example shows a string, so code is an integer.
#   The prose allows "more specific and unique error code identifiers" than the HTTP status,
#   but gives no non-numeric example; a server using string codes fails this schema.
# - minItems 1: an error body with no error in it says nothing.
# Checked: mysociety/fixmystreet perllib/Open311.pm _process_error (reads code and description
#   of each error); perllib/FixMyStreet/App/Controller/Open311/Updates.pm bad_request emits
#   {"errors":{"code":400,...}} - a wrapped object, not the spec's array; not accepted here.
# ---------------------------------------------------------------------------------------------
_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {
        "code": {"type": "integer"},
        "description": _TEXT,
    },
}

ERRORS: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "GeoReport v2 error response",
    "type": "array",
    "minItems": 1,
    "items": _ERROR,
}

# ---------------------------------------------------------------------------------------------
# FixMyStreet extension: GET Service Request Updates, GET /servicerequestupdates.json
# Documented by mySociety: https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311
#   (and ".../Open311-FMS---Complete-Spec", ".../Open311-FMS-Additional-states"); Response
#   table: service_request_updates > request_update > update_id, service_request_id, status
#   ("OPEN, CLOSED (though see our extension)"), updated_datetime (W3C), description,
#   media_url.
# Envelope. Both forms are accepted:
#   * a bare array [...]: what mySociety's servers send. Open311::Endpoint::Spark
#     process_for_json (mysociety/fixmystreet perllib/Open311/Endpoint/Spark.pm) drops the
#     single-key wrapper {"service_request_updates": [...]} for JSON, and the
#     mysociety/open311-adapter endpoint tests decode GET /servicerequestupdates.json as a bare
#     array; it is also what the spec's Spark convention gives for <service_request_updates>.
#   * {"service_request_updates": [...]}: the XML structure taken literally (and the Rx
#     output schema before Spark strips it). FixMyStreet's own client never reads JSON for
#     this call: mysociety/fixmystreet perllib/Open311.pm get_service_request_updates always
#     GETs servicerequestupdates.xml and parses it with XML::Simple (GroupTags
#     service_request_updates => request_update), so the JSON shape is set by the servers.
# status. The extension's values, in either case: mysociety/fixmystreet.com open311.json lists
#   them upper-case for Update.status (its own example there uses "open"), open311-adapter's
#   Role/mySociety.pm emits them lower-case (/open311/status_extended) and takes them
#   upper-case on POST (/open311/status_extended_upper). FixMyStreet's parser
#   (perllib/Open311.pm map_state) lower-cases the value and turns "_" into " " before
#   mapping, so case does not matter to it; it maps fixed, not_councils_responsibility,
#   no_further_action, open and closed, and passes the rest through (a state change is only
#   applied when the result is one of its visible states, so e.g. "reopen" changes nothing).
#   The union of the values in those sources is FIXMYSTREET_STATUSES.
# Required: update_id, service_request_id, status, updated_datetime - the OpenAPI "required"
#   list, and what FixMyStreet needs (perllib/Open311/GetServiceRequestUpdates.pm and
#   UpdatesBase.pm skip an update without service_request_id, without update_id, or whose
#   updated_datetime does not parse). description (FixMyStreet falls back to a response
#   template) and media_url are optional; open311-adapter sends "" for both when empty
#   (the Rx schema there marks them required //str) and null is accepted as absent.
# Optional extension fields read by FixMyStreet (UpdatesBase.pm) and typed as in
#   open311-adapter's Rx schema: external_status_code, customer_reference, fixmystreet_id
#   (FixMyStreet skips the update unless it is all digits), extras (string values).
# ---------------------------------------------------------------------------------------------
FIXMYSTREET_STATUSES = (
    "open",
    "closed",
    "fixed",
    "investigating",
    "action_scheduled",
    "in_progress",
    "planned",
    "no_further_action",
    "not_councils_responsibility",
    "duplicate",
    "internal_referral",
    "cancelled",
    "reopen",
    "for_triage",
)

_SERVICE_REQUEST_UPDATE: dict[str, Any] = {
    "type": "object",
    "required": ["update_id", "service_request_id", "status", "updated_datetime"],
    "properties": {
        "update_id": _IDENTIFIER,
        "service_request_id": _IDENTIFIER,
        "status": {
            "enum": [*FIXMYSTREET_STATUSES, *(s.upper() for s in FIXMYSTREET_STATUSES)],
        },
        "updated_datetime": _DATETIME,
        "description": _TEXT_OR_NULL,
        "media_url": _TEXT_OR_NULL,
        "external_status_code": _TEXT,
        "customer_reference": _TEXT,
        "fixmystreet_id": {"type": ["string", "integer"], "pattern": "^[0-9]+$", "minimum": 0},
        "extras": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

_UPDATE_ARRAY: dict[str, Any] = {"type": "array", "items": _SERVICE_REQUEST_UPDATE}

SERVICE_REQUEST_UPDATES: dict[str, Any] = {
    "$schema": DIALECT,
    "title": "FixMyStreet GET Service Request Updates (servicerequestupdates.json)",
    "oneOf": [
        _UPDATE_ARRAY,
        {
            "type": "object",
            "required": ["service_request_updates"],
            "properties": {"service_request_updates": _UPDATE_ARRAY},
            "additionalProperties": False,
        },
    ],
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "SERVICE_LIST": SERVICE_LIST,
    "SERVICE_DEFINITION": SERVICE_DEFINITION,
    "POST_REQUEST_RESPONSE": POST_REQUEST_RESPONSE,
    "REQUEST_LIST": REQUEST_LIST,
    "ERRORS": ERRORS,
    "SERVICE_REQUEST_UPDATES": SERVICE_REQUEST_UPDATES,
}


def validate(schema: dict, instance: object) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` matches ``schema``."""
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        instance
    )


# ---------------------------------------------------------------------------------------------
# The spec's own JSON examples (https://wiki.open311.org/GeoReport_v2/), keyed by the name of
# the schema they belong to. Changes from the page, all because its JSON is not valid JSON:
# service_code 001/002/003/006 (leading zeros) are the XML tab's strings "001" etc.
# SERVICE_REQUEST_UPDATES is not in the Open311 spec: it is the example of
# mysociety/fixmystreet.com _site/open311-openapi/open311.json (GET servicerequestupdates,
# given there as one object), as the bare array mySociety's servers send.
# ---------------------------------------------------------------------------------------------
SPEC_EXAMPLES: dict[str, object] = {
    "SERVICE_LIST": [
        {
            "service_code": "001",
            "service_name": "Cans left out 24x7",
            "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
            "metadata": True,
            "type": "realtime",
            "keywords": "lorem, ipsum, dolor",
            "group": "sanitation",
        },
        {
            "service_code": "002",
            "metadata": True,
            "type": "realtime",
            "keywords": "lorem, ipsum, dolor",
            "group": "street",
            "service_name": "Construction plate shifted",
            "description": "Metal construction plate covering the street or sidewalk has been moved.",
        },
        {
            "service_code": "003",
            "metadata": True,
            "type": "realtime",
            "keywords": "lorem, ipsum, dolor",
            "group": "street",
            "service_name": "Curb or curb ramp defect",
            "description": "Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb.",
        },
    ],
    "SERVICE_DEFINITION": {
        "service_code": "DMV66",
        "attributes": [
            {
                "variable": True,
                "code": "WHISHETN",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": None,
                "order": 1,
                "description": "What is the ticket/tag/DL number?",
                "values": [
                    {"key": 123, "name": "Ford"},
                    {"key": 124, "name": "Chrysler"},
                ],
            }
        ],
    },
    "POST_REQUEST_RESPONSE": [
        {
            "service_request_id": 293944,
            "service_notice": "The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code",
            "account_id": None,
        }
    ],
    "REQUEST_LIST": [
        {
            "service_request_id": 638344,
            "status": "closed",
            "status_notes": "Duplicate request.",
            "service_name": "Sidewalk and Curb Issues",
            "service_code": "006",
            "description": None,
            "agency_responsible": None,
            "service_notice": None,
            "requested_datetime": "2010-04-14T06:37:38-08:00",
            "updated_datetime": "2010-04-14T06:37:38-08:00",
            "expected_datetime": "2010-04-15T06:37:38-08:00",
            "address": "8TH AVE and JUDAH ST",
            "address_id": 545483,
            "zipcode": 94122,
            "lat": 37.762221815,
            "long": -122.4651145,
            # Trailing space as in the spec's example.
            "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg ",
        },
        {
            "service_request_id": 638349,
            "status": "open",
            "status_notes": None,
            "service_name": "Sidewalk and Curb Issues",
            "service_code": "006",
            "description": None,
            "agency_responsible": None,
            "service_notice": None,
            "requested_datetime": "2010-04-19T06:37:38-08:00",
            "updated_datetime": "2010-04-19T06:37:38-08:00",
            "expected_datetime": "2010-04-19T06:37:38-08:00",
            "address": "8TH AVE and JUDAH ST",
            "address_id": 545483,
            "zipcode": 94122,
            "lat": 37.762221815,
            "long": -122.4651145,
            "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638349.jpg",
        },
    ],
    "ERRORS": [
        {
            "code": 403,
            "description": "Invalid api_key received -- can't proceed with create_request.",
        }
    ],
    "SERVICE_REQUEST_UPDATES": [
        {
            "update_id": 1122334,
            "service_request_id": 638349,
            "status": "open",
            "updated_datetime": "2010-04-19T14:37:38.000Z",
            "description": "In progress",
            "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
        }
    ],
}

# A few more instances the schemas must accept, from the same sources: the other shapes the
# spec allows, and real output of mySociety's open311-adapter (t/open311/endpoint/
# bexley_uniform.t, "fetching an update": bare array, lower-case extended status, integer
# service_request_id, media_url and description as "").
EXTRA_EXAMPLES: dict[str, list[object]] = {
    "POST_REQUEST_RESPONSE": [
        [{"token": 12345}],  # a "batch" service
        [{"service_notice": "Thank you."}],  # a "blackbox" service: no id, no token
    ],
    "REQUEST_LIST": [
        [  # GET Service Request example (one item, no trailing space)
            {
                "service_request_id": 638344,
                "status": "closed",
                "status_notes": "Duplicate request.",
                "service_name": "Sidewalk and Curb Issues",
                "service_code": "006",
                "description": None,
                "agency_responsible": None,
                "service_notice": None,
                "requested_datetime": "2010-04-14T06:37:38-08:00",
                "updated_datetime": "2010-04-14T06:37:38-08:00",
                "expected_datetime": "2010-04-15T06:37:38-08:00",
                "address": "8TH AVE and JUDAH ST",
                "address_id": 545483,
                "zipcode": 94122,
                "lat": 37.762221815,
                "long": -122.4651145,
                "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
            }
        ],
    ],
    "SERVICE_REQUEST_UPDATES": [
        [
            {
                "status": "investigating",
                "media_url": "",
                "service_request_id": 1,
                "update_id": "1_18a2ec4c",
                "updated_datetime": "2019-09-25T02:00:00Z",
                "description": "",
            },
            {
                "status": "no_further_action",
                "media_url": "",
                "service_request_id": 2,
                "update_id": "2_dcad5b4f",
                "updated_datetime": "2019-09-25T02:00:00Z",
                "description": "",
            },
        ],
        {
            "service_request_updates": [
                {
                    "update_id": "7",
                    "service_request_id": "638349",
                    "status": "FIXED",
                    "updated_datetime": "2010-04-19T14:37:38+01:00",
                }
            ]
        },
    ],
}
