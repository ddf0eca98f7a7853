"""The FastAPI app factory and the Lambda handler factory every HTTP function module ends with.

Routes are ``async def`` on purpose although the database driver is synchronous: Lambda gives an
execution environment one request at a time, so blocking its event loop blocks nobody, and the work stays
on the environment's own thread, where its database connection lives. A sync route would run on a
thread-pool thread instead, costing ~0.7 ms a call and a connection per pool thread. Dependencies follow
the same rule.
"""

from __future__ import annotations

import base64
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from fastapi import APIRouter, Depends, FastAPI
from mangum import Mangum

from shared.manifest import HttpRoute
from shared.runtime import current_runtime
from shared.runtime.meter import HTTP_API_STEP_BYTES, Component, steps
from shared.web.auth import authorizer
from shared.web.errors import install_error_handling
from shared.web.guards import RefuseNulMiddleware
from shared.web.invocation import LambdaHandler, wrap

API_TITLE = "Skills Assessment Platform API"
# The SPA sends the Idempotency-Key of the assessment being filled in on every request of that form, so the
# cost ledger can count them all towards the assessment (GET /api/v1/costs/per-assessment).
SESSION_HEADER = "x-assessment-session"
MAX_SESSION_CHARS = 200
API_VERSION = "1.0.0"


def create_app(router: APIRouter, entry: Any) -> FastAPI:
    """An app holding only the given router, behind its manifest entry's auth rule, with the platform's
    error handling.

    Function apps serve no docs of their own: the OpenAPI document of all routes is built from the
    manifest (``make openapi``, and the local gateway's ``/api/v1/openapi.json``).
    """
    if not isinstance(entry, HttpRoute):
        raise TypeError(f"{entry} is not an HTTP route of the manifest")
    app = FastAPI(title=API_TITLE, version=API_VERSION, openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(router, dependencies=[Depends(authorizer(entry.auth, entry.path))])
    app.add_middleware(RefuseNulMiddleware)
    install_error_handling(app)
    app.state.entry = entry
    return app


def _request_bytes(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    return len(base64.b64decode(body)) if event.get("isBase64Encoded") else len(body.encode())


def make_handler(app: FastAPI) -> LambdaHandler:
    """The Lambda entry point of an HTTP route: Mangum behind the one wrapper (shared.web.invocation), which
    logs with the API Gateway request id as correlation id, records the cold-start metric, traces where
    enabled, and meters the invocation for the cost ledger."""
    asgi = Mangum(app, lifespan="off")
    entry: HttpRoute = app.state.entry

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        meter = current_runtime().meter
        meter.count(Component.HTTP_API_REQUEST, steps(_request_bytes(event), HTTP_API_STEP_BYTES))
        session = (event.get("headers") or {}).get(SESSION_HEADER)
        if session and len(session) <= MAX_SESSION_CHARS and session.isprintable():
            meter.attribute(session_key=f"web:{session}")
        return asgi(event, context)

    return wrap(entry, invoke, correlation_path=correlation_paths.API_GATEWAY_HTTP)
