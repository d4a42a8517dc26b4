"""Whatever a client sends to Open311, the answer is never a 500: a spec error list or a valid
answer. Hypothesis writes the requests; the app runs on a real SQLite database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.web.app import create_app
from kern.services import Services
from kern.texts import Texts
from opslag.database import make_engine, make_sessions, upgrade
from tests.bot.conftest import SteadyClock
from tests.conftest import local
from tests.web import georeport_schemas as spec

KEY = "fuzz-key"
FIELDS = [
    "api_key",
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "email",
    "first_name",
    "last_name",
    "phone",
    "media_url",
    "attribute[urgentie]",
    "service_request_id",
    "status",
    "start_date",
    "end_date",
    "jurisdiction_id",
]
PATHS = [
    "services.json",
    "services/afval.json",
    "requests.json",
    "requests/WS-2026-000001.json",
    "servicerequestupdates.json",
]
SCHEMAS = {
    ("GET", "services.json"): spec.SERVICE_LIST,
    ("GET", "services/afval.json"): spec.SERVICE_DEFINITION,
    ("POST", "requests.json"): spec.POST_REQUEST_RESPONSE,
    ("GET", "requests.json"): spec.REQUEST_LIST,
    ("GET", "requests/WS-2026-000001.json"): spec.REQUEST_LIST,
    ("GET", "servicerequestupdates.json"): spec.SERVICE_REQUEST_UPDATES,
}

values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["afval", "zorg", "52.2555", "6.1452", "Rijnstraat 12", "open", "closed"]),
    st.sampled_from(["2026-11-23T10:00:00+01:00", "2026-11-23", "NaN", "-inf", "1e309", "0"]),
    st.sampled_from(["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+14:00", "2026-02-30"]),
    st.sampled_from(["WS-2026-000001", "ws 2026 1", "WS-2026-0", ",,,", KEY]),
    st.text(min_size=3000, max_size=5000),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)
forms = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), values, max_size=12
)
with_key = forms.map(lambda form: {"api_key": KEY, **form} if "api_key" not in form else form)


@pytest.fixture(scope="module")
def harness(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]]:
    from regels.laden import load_municipality

    loop = asyncio.new_event_loop()
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    loop.run_until_complete(upgrade(engine))
    services = Services(
        municipality=load_municipality(),
        sessions=make_sessions(engine),
        texts=Texts(),
        clock=SteadyClock(local(2026, 11, 23, 10, 0)),
    )
    app = create_app(Settings(_env_file=None, open311_api_keys=KEY), services=services)  # type: ignore[call-arg]
    # Open311 needs only these; Telegram (the lifespan) is not part of this test.
    app.state.services, app.state.open311_keys = services, (KEY,)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fuzz")
    yield loop, client
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(engine.dispose())
    loop.close()


def check(method: str, path: str, answer: httpx.Response) -> None:
    assert answer.status_code < 500, answer.text
    body = json.loads(answer.content)
    if answer.status_code == 200:
        spec.validate(SCHEMAS[(method, path)], body)
    else:
        spec.validate(spec.ERRORS, body)
        assert body[0]["code"] == answer.status_code


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["GET", "POST"]), path=st.sampled_from(PATHS), form=with_key)
def test_any_form_or_query_gets_an_answer_never_a_500(harness, method, path, form) -> None:
    loop, client = harness
    url = f"/open311/v2/{path}"
    if method == "POST":
        answer = loop.run_until_complete(client.post(url, data=form))
    else:
        answer = loop.run_until_complete(client.get(url, params=form))
    if (method, path) not in SCHEMAS:
        assert answer.status_code == 405
    check(method, path, answer)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=3000),
    kind=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/plain; charset=latin-1",
            "",
        ]
    ),
    path=st.sampled_from([*PATHS, "requests/%00.json", "services/%FF.json", "x" * 300]),
)
def test_any_body_gets_an_answer_never_a_500(harness, body, kind, path) -> None:
    loop, client = harness
    headers = {"content-type": kind} if kind else {}
    answer = loop.run_until_complete(
        client.post(f"/open311/v2/{path}?api_key={KEY}", content=body, headers=headers)
    )
    assert answer.status_code < 500, answer.text
    spec.validate(
        spec.ERRORS if answer.status_code != 200 else spec.POST_REQUEST_RESPONSE,
        json.loads(answer.content),
    )
