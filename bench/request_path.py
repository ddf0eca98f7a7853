"""Per-request cost of the local gateway + Mangum + Powertools + FastAPI, against the bare FastAPI app."""

from __future__ import annotations

import asyncio
import functools
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn

from bench.stats import per_call_us
from local.gateway import Gateway, GatewayRoute, create_gateway_app
from local.http_events import GatewayIdentity, HttpRequest, RouteMatch, build_event
from local.lambda_runtime import FunctionSpec, LambdaContext, LocalLambda
from local.postgres import free_port

CALLS = 3000
SPEC = FunctionSpec("BenchEcho", "bench.echo_function", timeout_s=10)


async def _async_per_call_us(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    for _ in range(200):
        await call()
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls // 5):
            await call()
        batches.append((time.perf_counter() - start) / (calls // 5) * 1e6)
    return statistics.median(batches)


def _event(path: str) -> dict[str, Any]:
    request = HttpRequest("GET", path, path, "", [("host", "127.0.0.1"), ("accept", "application/json")])
    return build_event(request, RouteMatch(f"GET {path}"), GatewayIdentity())


class _Server:
    """uvicorn on a free loopback port, in a thread, for HTTP-level comparisons."""

    def __init__(self, app: Any) -> None:
        self.port = free_port(None)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        started = threading.Event()
        for _ in range(500):
            if self.server.started:
                break
            started.wait(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def run() -> tuple[str, dict[str, float]]:
    from bench import echo_function

    results: dict[str, float] = {}

    async def direct() -> float:
        transport = httpx.ASGITransport(app=echo_function.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await _async_per_call_us(lambda: client.get("/api/v1/bench/async"), CALLS)

    results["direct_asgi"] = asyncio.run(direct())

    asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum runs on this thread's loop, as in Lambda
    context = LambdaContext(SPEC)
    for kind in ("async", "sync"):
        event = _event(f"/api/v1/bench/{kind}")
        results[f"handler_{kind}"] = per_call_us(functools.partial(echo_function.handler, event, context), CALLS)

    runtime = LocalLambda(environments=2)
    routes = [GatewayRoute("GET", "/api/v1/bench/async", SPEC)]
    gateway_app = create_gateway_app(Gateway(routes, runtime), openapi=False)

    async def through_gateway() -> float:
        transport = httpx.ASGITransport(app=gateway_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await _async_per_call_us(lambda: client.get("/api/v1/bench/async"), CALLS)

    results["gateway_inprocess"] = asyncio.run(through_gateway())

    # Over real loopback HTTP: the gateway against the bare app served the same way.
    for name, app in (("http_direct", echo_function.app), ("http_gateway", gateway_app)):
        with _Server(app) as url, httpx.Client(base_url=url) as client:
            results[name] = per_call_us(functools.partial(client.get, "/api/v1/bench/async"), CALLS // 2)
    runtime.shutdown()

    base = results["direct_asgi"]
    rows = [
        ("FastAPI app called directly through an ASGI client (baseline)", results["direct_asgi"], 1.0),
        ("Lambda handler: Powertools + Mangum + FastAPI, `async def` route", results["handler_async"],
         results["handler_async"] / base),
        ("Lambda handler, sync `def` route (runs in a thread pool)", results["handler_sync"],
         results["handler_sync"] / base),
        ("Local gateway in-process: event build + environment thread + handler", results["gateway_inprocess"],
         results["gateway_inprocess"] / base),
    ]  # fmt: skip
    lines = [
        "## Request path overhead",
        "",
        f"An endpoint with no I/O (`bench/echo_function.py`), {CALLS} warm calls each, median of 5 batches.",
        "",
        "| path | µs per request | ratio to baseline |",
        "|---|---:|---:|",
        *(f"| {label} | {us:.0f} | {ratio:.2f}x |" for label, us, ratio in rows),
        "",
        "Over loopback HTTP (uvicorn, keep-alive client):",
        "",
        "| path | µs per request | ratio |",
        "|---|---:|---:|",
        f"| bare FastAPI app served by uvicorn (baseline) | {results['http_direct']:.0f} | 1.00x |",
        f"| local gateway -> Lambda handler -> FastAPI | {results['http_gateway']:.0f} | "
        f"{results['http_gateway'] / results['http_direct']:.2f}x |",
        "",
        f"Gateway + Mangum + Powertools add about {results['http_gateway'] - results['http_direct']:.0f} µs a request "
        f"over HTTP; a sync route costs {results['handler_sync'] - results['handler_async']:.0f} µs more than an "
        "async one, which is why routes are `async def` (shared/web/app.py).",
        "",
    ]
    return "\n".join(lines), results
