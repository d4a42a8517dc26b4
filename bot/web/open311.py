"""Open311 GeoReport v2 (JSON) under /open311/v2/, on the same core as the chat.

A request created here is routed by the same rules (`kern.intake.submit`), stored with its
owner's card and timers in one transaction, and its owner acts on it in Telegram; the API shows
what they did. Errors are the spec's list of {"code", "description"} with that HTTP status:
400 bad input, 403 a missing or wrong api_key, 404 an unknown id or path, 405 a wrong method.
Whatever the body, the answer is never a 500.

Keys: OPEN311_API_KEYS (comma-separated). services.json and services/{code}.json are public
(the spec's catalogue); creating and reading requests needs a key, since descriptions written
by residents can hold personal details.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.web import open311_vorm as vorm
from kern import intake
from kern.notices import queue_notices
from kern.services import Services
from opslag import opvragen
from opslag.tabellen import SignalRow

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a form with a 4,000-character description fits many times over
MAX_RESULTS = 1000
Endpoint = Callable[[Request], Awaitable[Response]]


def errors(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _keys(request: Request) -> tuple[str, ...]:
    keys: tuple[str, ...] = request.app.state.open311_keys
    return keys


def guarded(*, key: bool) -> Callable[[Endpoint], Endpoint]:
    """Check the api_key when needed, and turn every failure into the spec's error list."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                if key:
                    await _check_key(request)
                return await endpoint(request)
            except vorm.BadRequest as exc:
                return errors(400, str(exc))
            except _Refused as exc:
                return errors(exc.status, exc.description)
            except HTTPException as exc:
                return errors(exc.status_code, str(exc.detail))
            except Exception:
                log.exception("open311: %s %s failed", request.method, request.url.path)
                return errors(503, "the service could not answer now; try again shortly")

        run.__name__ = endpoint.__name__
        run.__doc__ = endpoint.__doc__
        return run

    return wrap


class _Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description


async def _params(request: Request) -> dict[str, str]:
    """Query parameters and, for a POST, the form (urlencoded or multipart), bounded."""
    cached: dict[str, str] | None = getattr(request.state, "open311_params", None)
    if cached is not None:
        return cached
    params = {k: v for k, v in request.query_params.items()}
    if request.method == "POST":
        params |= await _form(request)
    request.state.open311_params = params
    return params


async def _form(request: Request) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            async with request.form(max_files=0, max_fields=50, max_part_size=MAX_BODY) as form:
                return {k: v for k, v in form.items() if isinstance(v, str)}
        except Exception as exc:  # a broken multipart body
            raise vorm.BadRequest(f"the body is not a form ({type(exc).__name__})") from None
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise _Refused(415, "send the form as application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _Refused(413, f"the request body is larger than {MAX_BODY} bytes")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=50, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError):
        raise vorm.BadRequest("the body is not a UTF-8 form with at most 50 fields") from None
    return dict(pairs)


async def _check_key(request: Request) -> None:
    given = (await _params(request)).get("api_key", "")
    if not given or not any(
        hmac.compare_digest(given.encode(), key.encode()) for key in _keys(request)
    ):
        raise _Refused(403, "api_key is missing or not valid")


@guarded(key=False)
async def list_services(request: Request) -> Response:
    """services.json: one service per theme."""
    themes = _services(request).municipality.themes.values()
    return JSONResponse([vorm.service(theme) for theme in themes])


@guarded(key=False)
async def service_definition(request: Request) -> Response:
    """services/{code}.json: the attributes a service takes."""
    code = request.path_params["code"]
    theme = _services(request).municipality.themes.get(code)
    if theme is None:
        raise _Refused(404, f"service_code {code[:40]!r} not found")
    return JSONResponse(vorm.definition(theme))


@guarded(key=True)
async def create_request(request: Request) -> Response:
    """POST requests.json: a new report, routed and stored like one from the chat."""
    services = _services(request)
    now = services.clock()
    report = vorm.read_report(await _params(request), services, now)
    async with services.transaction() as session:
        submitted = await intake.submit(session, services, report)
        await queue_notices(session, services, submitted.notices)
        queued = session.info.pop("outbox_queued", False)
        answer = [
            {
                "service_request_id": submitted.signal.reference,
                "service_notice": vorm.notice(services, submitted.signal),
            }
        ]
    if queued:
        services.outbox_ready.set()
    log.info("open311: signal %s created", submitted.signal.id)
    return JSONResponse(answer)


@guarded(key=True)
async def list_requests(request: Request) -> Response:
    """GET requests.json: by ids, or filtered (default the last 90 days), at most 1,000."""
    services = _services(request)
    query = vorm.read_query(await _params(request), services, services.clock())
    async with services.sessions() as session:
        if query.references is not None:
            signals = await opvragen.by_references(session, query.references)
        else:
            signals = await opvragen.find(
                session,
                start=query.start,
                end=query.end,
                themes=query.themes,
                closed=query.closed,
                limit=MAX_RESULTS,
            )
        return await _shown(session, services, signals)


@guarded(key=True)
async def one_request(request: Request) -> Response:
    """GET requests/{id}.json: one request, as a list of one (the spec's form)."""
    services = _services(request)
    raw = request.path_params["id"]
    reference = vorm.canonical_reference(raw[:40])
    if reference is None:
        raise _Refused(404, f"service_request_id {raw[:40]!r} not found")
    async with services.sessions() as session:
        signals = await opvragen.by_references(session, [reference])
        if not signals:
            raise _Refused(404, f"service_request_id {reference} not found")
        return await _shown(session, services, signals)


@guarded(key=True)
async def request_updates(request: Request) -> Response:
    """servicerequestupdates.json (FixMyStreet): status changes in a period (default a day)."""
    services = _services(request)
    params = await _params(request)
    start, end = vorm.period(params, services.clock(), default=timedelta(days=1))
    async with services.sessions() as session:
        changes = await opvragen.status_changes(session, start=start, end=end, limit=MAX_RESULTS)
    return JSONResponse([vorm.update(services, event, signal) for event, signal in changes])


async def _shown(session: AsyncSession, services: Services, signals: list[SignalRow]) -> Response:
    """Signals as the spec's request list, each with its closing note."""
    notes = await opvragen.closing_notes(session, [s.id for s in signals if s.id])
    return JSONResponse([vorm.request(services, s, notes.get(s.id or 0)) for s in signals])


def routes(prefix: str = "/open311/v2") -> list[Route]:
    return [
        Route(f"{prefix}/services.json", list_services, methods=["GET"]),
        Route(f"{prefix}/services/{{code}}.json", service_definition, methods=["GET"]),
        Route(f"{prefix}/requests.json", create_request, methods=["POST"]),
        Route(f"{prefix}/requests.json", list_requests, methods=["GET"]),
        Route(f"{prefix}/requests/{{id}}.json", one_request, methods=["GET"]),
        Route(f"{prefix}/servicerequestupdates.json", request_updates, methods=["GET"]),
    ]


def not_found_or_wrong_method(request: Request, exc: Any) -> Response:
    """Starlette's own 404 and 405, in the spec's error form."""
    status = getattr(exc, "status_code", 404)
    return errors(status, "no such endpoint" if status == 404 else "method not allowed")
