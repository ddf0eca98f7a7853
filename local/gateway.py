"""The local API Gateway: an ASGI app that serves exactly the manifest's routes by invoking their handlers.

For each request it builds the payload-2.0 event API Gateway would send, invokes the route's function
through the local Lambda runtime and maps the result back. A path no route matches gets API Gateway's
own 404 ``{"message":"Not Found"}``. It also serves the OpenAPI document of every route and the
interactive docs. Later parts plug in through ``extra_routes`` (the WebSocket API and its management
endpoint, the SPA's files) and through the runtime (async invokes, schedules).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from local.http_events import (
    MAX_EVENT_BYTES,
    GatewayIdentity,
    HttpRequest,
    HttpResponse,
    RouteMatch,
    build_event,
    gateway_error,
    new_request_id,
    to_response,
)
from local.lambda_runtime import FunctionSpec, LocalLambda

logger = logging.getLogger("local.gateway")

OPENAPI_PATH = "/api/v1/openapi.json"
DOCS_PATH = "/docs"
# Swagger UI's own files, served from here so that the docs work offline (from the swagger-ui-py package,
# which bundles Swagger UI 5 with its Apache-2.0 LICENSE, also served).
DOCS_ASSETS_PATH = "/docs/assets"


@dataclass(frozen=True)
class GatewayRoute:
    """One HTTP API route and the function behind it (``method`` may be ``ANY``)."""

    method: str
    path: str
    function: FunctionSpec

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        parts = []
        for segment in self.path.strip("/").split("/"):
            if segment.startswith("{") and segment.endswith("+}"):
                parts.append(f"(?P<{segment[1:-2]}>.+)")
            elif segment.startswith("{") and segment.endswith("}"):
                parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
            else:
                parts.append(re.escape(segment))
        return re.compile("^/" + "/".join(parts) + "$")

    @property
    def specificity(self) -> tuple[int, int]:
        # API Gateway prefers the most specific match: literal segments over parameters over greedy ones.
        segments = self.path.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        greedy = sum(1 for s in segments if s.endswith("+}"))
        return (literal, -greedy)

    def match(self, method: str, path: str) -> RouteMatch | None:
        if self.method not in ("ANY", method):
            return None
        found = self._pattern.match(path)
        if found is None:
            return None
        return RouteMatch(self.route_key, {k: v for k, v in found.groupdict().items()})


def manifest_routes() -> list[GatewayRoute]:
    from functions.routes import ROUTES

    return [
        GatewayRoute(r.method, r.path, FunctionSpec(r.function_id, r.module, r.memory_mb, r.timeout_s)) for r in ROUTES
    ]


def manifest_openapi() -> dict[str, Any]:
    """The OpenAPI document of every manifest route, from the function modules' own routers."""
    from functions.routes import ROUTES
    from shared.web.openapi import build_openapi

    modules = dict.fromkeys(r.module for r in ROUTES)
    return build_openapi((importlib.import_module(m).router for m in modules), {r.route_key: r.auth for r in ROUTES})


@dataclass
class Gateway:
    routes: Sequence[GatewayRoute]
    runtime: LocalLambda
    identity: GatewayIdentity = field(default_factory=GatewayIdentity)

    def __post_init__(self) -> None:
        self._ordered = sorted(self.routes, key=lambda r: r.specificity, reverse=True)

    def find(self, method: str, path: str) -> tuple[GatewayRoute, RouteMatch] | None:
        for route in self._ordered:
            found = route.match(method, path)
            if found is not None:
                return route, found
        return None

    def _route_path(self, path: str) -> str | None:
        """The path routes are matched on: a named stage is the first segment of the URL."""
        if self.identity.stage == "$default":
            return path
        prefix = f"/{self.identity.stage}"
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix) :] or "/"
        return None

    async def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        route_path = self._route_path(request.path)
        found = self.find(request.method, route_path) if route_path is not None else None
        if found is None:
            return gateway_error(404, "Not Found", request_id)
        if len(request.body) > MAX_EVENT_BYTES:
            return gateway_error(413, "Request Entity Too Large", request_id)
        route, match = found
        event = build_event(request, match, self.identity, request_id=request_id)
        try:
            result = await self.runtime.invoke(route.function, event)
        except TimeoutError:
            logger.error(
                "%s timed out after %ss (request %s)",
                route.function.name,
                route.function.timeout_s,
                request_id,
            )
            return gateway_error(503, "Service Unavailable", request_id)
        except Exception:
            logger.exception("%s failed (request %s)", route.function.name, request_id)
            return gateway_error(500, "Internal Server Error", request_id)
        return to_response(result, request_id)


async def _read_request(request: Request) -> HttpRequest:
    client = request.client
    scope = request.scope
    server = scope.get("server") or ("127.0.0.1", 80)
    raw_path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
    return HttpRequest(
        method=request.method,
        path=scope["path"],
        raw_path=raw_path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
        body=await request.body(),
        source_ip=client.host if client else "127.0.0.1",
        scheme=scope.get("scheme", "http"),
        server_port=int(server[1] or (443 if scope.get("scheme") == "https" else 80)),
        http_version=scope.get("http_version", "1.1"),
    )


def create_gateway_app(
    gateway: Gateway,
    *,
    openapi: bool = True,
    extra_routes: Iterable[BaseRoute] = (),
) -> Starlette:
    """The ASGI app: gateway-owned pages first, then every other path goes through API Gateway routing."""

    async def dispatch(request: Request) -> Response:
        return _to_starlette(await gateway.handle(await _read_request(request)))

    routes: list[BaseRoute] = list(extra_routes)
    if openapi:
        lock = asyncio.Lock()
        cache: dict[str, Any] = {}

        async def openapi_json(request: Request) -> JSONResponse:
            async with lock:
                if "doc" not in cache:
                    cache["doc"] = await asyncio.to_thread(manifest_openapi)
            return JSONResponse(cache["doc"])

        async def docs(request: Request) -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url=OPENAPI_PATH,
                title="Skills Assessment Platform API",
                swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon-32x32.png",
                swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
            )

        routes += [
            Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
            Route(DOCS_PATH, docs, methods=["GET"]),
            Mount(DOCS_ASSETS_PATH, StaticFiles(directory=_swagger_ui_files())),
        ]
    routes.append(Route("/{path:path}", dispatch, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]))
    app = Starlette(routes=routes)
    # Whatever the routes above do not take (a path with a newline in it, a method they do not list) is
    # still API Gateway's to answer, never Starlette's plain-text 404.
    app.router.default = _gateway_default(gateway, app.router.default)
    return app


def _gateway_default(gateway: Gateway, otherwise: ASGIApp) -> ASGIApp:
    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await otherwise(scope, receive, send)
            return
        response = _to_starlette(await gateway.handle(await _read_request(Request(scope, receive))))
        await response(scope, receive, send)

    return default


def _swagger_ui_files() -> Path:
    import swagger_ui  # a dev dependency: only the local gateway serves docs

    return Path(swagger_ui.__file__).parent / "static"


def _to_starlette(response: HttpResponse) -> Response:
    out = Response(content=response.body, status_code=response.status)
    # Starlette sets its own content-length; multiple set-cookie headers must each survive.
    out.raw_headers = [
        (b"content-length", str(len(response.body)).encode()),
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers),
    ]
    return out
