"""The FastAPI app factory and the Lambda handler factory every function module ends with.

Routes are ``async def`` on purpose although the database driver is synchronous: Lambda gives an
execution environment one request at a time, so blocking its event loop blocks nobody, and the work stays
on the environment's own thread, where its database connection lives. A sync route would run on a
thread-pool thread instead, costing ~0.7 ms a call and a connection per pool thread. Dependencies follow
the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from fastapi import APIRouter, Depends, FastAPI
from mangum import Mangum

from shared.observability import get_tracer, logger, metrics, tracing_enabled
from shared.web.auth import authorizer
from shared.web.errors import install_error_handling

API_TITLE = "Skills Assessment Platform API"
API_VERSION = "1.0.0"

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def create_app(router: APIRouter, *, auth: str) -> FastAPI:
    """An app holding only the given router, behind its manifest auth rule, with the platform's error
    handling.

    Function apps serve no docs of their own: the OpenAPI document of all routes is built from the
    manifest (``make openapi``, and the local gateway's ``/api/v1/openapi.json``).
    """
    app = FastAPI(title=API_TITLE, version=API_VERSION, openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(router, dependencies=[Depends(authorizer(auth))])
    install_error_handling(app)
    return app


def make_handler(app: FastAPI) -> LambdaHandler:
    """The Lambda entry point: Powertools logging (correlation id = API Gateway request id), cold-start
    metric and X-Ray tracing (where enabled, see shared.observability) around Mangum."""
    asgi = Mangum(app, lifespan="off")

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    if tracing_enabled():
        invoke = get_tracer().capture_lambda_handler(capture_response=False)(invoke)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return invoke(event, context)

    return handler
