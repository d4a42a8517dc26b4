"""Starlette or FastAPI for `wijksignaal serve`? The same two endpoints in each, served by uvicorn.

A GET that answers a JSON list (like Open311's services.json) and a form-encoded POST that is
validated and answered with a spec error list when wrong (like POST requests.json). Each app is
called in this process through httpx's ASGI transport, 16 requests in flight, so the figures are
the framework's own cost per request (uvicorn and the network are the same for both). Also
printed: the import time and memory each framework adds.

    .venv/bin/pip install fastapi   # FastAPI is not a dependency; it is only measured here
    .venv/bin/python bench/asgi_choice.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from urllib.parse import parse_qs

import httpx

SERVICES = [{"service_code": f"t{i}", "service_name": f"Thema {i}"} for i in range(10)]
REQUESTS = 4000
IN_FLIGHT = 16


def starlette_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def services(_: Request) -> JSONResponse:
        return JSONResponse(SERVICES)

    async def create(request: Request) -> JSONResponse:
        form = parse_qs((await request.body()).decode())
        if "service_code" not in form:
            return JSONResponse([{"code": 400, "description": "service_code missing"}], 400)
        return JSONResponse([{"service_request_id": "1", "service_notice": ""}])

    return Starlette(
        routes=[
            Route("/services.json", services),
            Route("/requests.json", create, methods=["POST"]),
        ]
    )


def fastapi_app():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI, Form
    from fastapi.responses import JSONResponse

    app = FastAPI()

    @app.get("/services.json")
    async def services() -> list[dict[str, str]]:
        return SERVICES

    @app.post("/requests.json")
    async def create(service_code: str | None = Form(None)) -> JSONResponse:
        if service_code is None:
            return JSONResponse([{"code": 400, "description": "service_code missing"}], 400)
        return JSONResponse([{"service_request_id": "1", "service_notice": ""}])

    return app


async def drive(app: object, method: str, path: str) -> tuple[float, float]:
    """Requests per second and median latency (ms) for one endpoint."""
    latencies: list[float] = []
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        queue = iter(range(REQUESTS))

        async def worker() -> None:
            for _ in queue:
                began = time.perf_counter()
                if method == "GET":
                    answer = await client.get(path)
                else:
                    answer = await client.post(path, data={"service_code": "t1", "lat": "52.2"})
                answer.raise_for_status()
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        elapsed = time.perf_counter() - began
    return REQUESTS / elapsed, statistics.median(latencies) * 1000


async def measure(app: object) -> dict[str, float]:
    await drive(app, "GET", "/services.json")  # warm up
    get_rate, get_ms = await drive(app, "GET", "/services.json")
    post_rate, post_ms = await drive(app, "POST", "/requests.json")
    return {"get/s": get_rate, "get ms": get_ms, "post/s": post_rate, "post ms": post_ms}


def import_cost(module: str) -> tuple[float, float]:
    """Seconds and MB that importing `module` adds to a bare interpreter."""
    rss = "int(open('/proc/self/statm').read().split()[1])*4096/2**20"
    code = (
        f"import time;b={rss};t=time.perf_counter();import {module};"
        f"print(time.perf_counter()-t, {rss}-b)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, mb = out.stdout.split()
    return float(seconds), float(mb)


async def main() -> None:
    results = {"starlette": await measure(starlette_app())}
    try:
        results["fastapi"] = await measure(fastapi_app())
    except ImportError:
        print("FastAPI is not installed: `.venv/bin/pip install fastapi` to compare.")
    for name, figures in results.items():
        seconds, mb = import_cost("starlette.applications" if name == "starlette" else "fastapi")
        figures |= {"import s": seconds, "import MB": mb}
        print(f"{name:10} " + "  ".join(f"{k} {v:,.1f}" for k, v in figures.items()))
    print(json.dumps({k: {m: round(v, 2) for m, v in f.items()} for k, f in results.items()}))


if __name__ == "__main__":
    asyncio.run(main())
