"""The one table from domain errors to HTTP, and the one error body: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    problem,
)
from shared.observability import logger

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    ValidationFailed: 422,
    TooManyRequests: 429,
    ServiceUnavailable: 503,
}

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


# The body's schema, for the OpenAPI document (shared.web.openapi adds it to the components): written out rather
# than as pydantic models, which every function would build at its cold start for a document it never serves.
ERROR_BODY_REF = {"$ref": "#/components/schemas/ErrorBody"}
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "ErrorBody": {
        "description": "Every error the API answers has this shape.",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
        "required": ["error"],
        "title": "ErrorBody",
        "type": "object",
    },
    "ErrorDetail": {
        "properties": {
            "code": {"title": "Code", "type": "string"},
            "details": {"title": "Details"},
            "message": {"title": "Message", "type": "string"},
        },
        "required": ["code", "message"],
        "title": "ErrorDetail",
        "type": "object",
    },
}


def status_for(exc: DomainError) -> int:
    """The status of the nearest mapped class in the error's MRO; 500 for an unmapped DomainError."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the error statuses a route may answer."""
    return {status: {"content": error_body_content()} for status in statuses}


def error_body_content() -> dict[str, Any]:
    """An OpenAPI response's ``content``: the error body, as JSON."""
    return {"application/json": {"schema": dict(ERROR_BODY_REF)}}


def validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as {"loc", "path", "message", "type"}; the input itself is never echoed back. Tags of
    a discriminated union's members, written ``<like-this>``, say which shape was meant, not where: dropped."""
    return [
        problem([part for part in err["loc"] if not _is_union_tag(part)], err["msg"], err["type"]) for err in errors
    ]


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    headers: dict[str, str] = {}
    # Any error that knows when trying again makes sense says so (429s; a 409 for work still in flight).
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int) and retry_after > 0:
        headers["Retry-After"] = str(retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if status >= 500:
        logger.warning("request failed: %s", exc.code, extra={"error_code": exc.code, "status": status})
    return error_response(status, exc.code, exc.message, exc.details, headers or None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    missing_headers = [e["loc"][1] for e in errors if e["type"] == "missing" and tuple(e["loc"][:1]) == ("header",)]
    if missing_headers and len(missing_headers) == len(errors):
        # A required header is part of the protocol, not of the data: its absence is a malformed request.
        names = ", ".join(str(name) for name in missing_headers)
        return error_response(400, "bad_request", f"The {names} header is required.", {"header": names})
    return error_response(422, "validation_error", "The request is invalid.", validation_details(errors))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODE_BY_STATUS.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc.detail), None, exc.headers)


class UnhandledErrorMiddleware:
    """Turns any unexpected exception into a logged, generic 500 in the one error body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # The correlation id is already on every log line (Logger.inject_lambda_context).
            logger.exception("unhandled error")
            if started:
                raise
            event = scope.get("aws.event") or {}
            request_id = (event.get("requestContext") or {}).get("requestId")
            response = error_response(
                500, "internal_error", "An unexpected error occurred.", {"request_id": request_id}
            )
            await response(scope, receive, send)


def install_error_handling(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(UnhandledErrorMiddleware)
