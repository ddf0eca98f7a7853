"""One table maps domain errors to HTTP; every error answers {"error": {"code", "message", "details"}}.

Requests go through the real Lambda path: payload-2.0 event -> make_handler (Powertools + Mangum) -> app.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from local.http_events import GatewayIdentity, HttpRequest, RouteMatch, build_event
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared import errors
from shared.manifest import HttpRoute, Public
from shared.observability import logger
from shared.web import create_app, make_handler

router = APIRouter()


class Item(BaseModel):
    name: str = Field(min_length=1)
    tags: list[str] = Field(max_length=2)


@router.post("/api/v1/items")
async def create_item(item: Item) -> Item:
    return item


@router.get("/api/v1/fail/{kind}")
async def fail(kind: str) -> None:
    raise {
        "bad": errors.BadRequest("Idempotency-Key header is required."),
        "unauth": errors.Unauthorized(),
        "forbidden": errors.Forbidden(),
        "missing": errors.NotFound("No such item."),
        "conflict": errors.Conflict(),
        "concurrency": errors.ConcurrencyConflict(),
        "invalid": errors.ValidationFailed(details=[{"loc": ["body", "x"], "path": "body.x"}]),
        "throttled": errors.TooManyRequests(retry_after=30),
        "db": errors.DatabaseUnavailable(),
        "bug": RuntimeError("secret internals"),
    }[kind]


handler = make_handler(create_app(router, HttpRoute("POST", "/api/v1/items", __name__, Public())))


@pytest.fixture(autouse=True)
def lambda_event_loop() -> Iterator[None]:
    # Like a Lambda environment: one event loop for this thread, which Mangum runs each request on.
    # (Async tests elsewhere close the main thread's loop when they end.)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    loop.close()


def call(method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], dict[str, Any]]:
    raw = json.dumps(body).encode() if body is not None else b""
    request = HttpRequest(
        method=method,
        path=path,
        raw_path=path,
        query_string="",
        headers=[("content-type", "application/json")] if body is not None else [],
        body=raw,
    )
    event = build_event(request, RouteMatch(f"{method} {path}"), GatewayIdentity(), request_id="req-123")
    result = handler(event, LambdaContext(FunctionSpec("ErrorsTest", "tests.unit.test_error_mapping")))
    return result["statusCode"], result["headers"], json.loads(result["body"])


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("bad", 400, "bad_request"),
        ("unauth", 401, "unauthorized"),
        ("forbidden", 403, "forbidden"),
        ("missing", 404, "not_found"),
        ("conflict", 409, "conflict"),
        ("concurrency", 409, "concurrency_conflict"),
        ("invalid", 422, "validation_error"),
        ("throttled", 429, "too_many_requests"),
        ("db", 503, "database_unavailable"),
    ],
)
def test_domain_errors_map_to_their_status_and_code(kind: str, status: int, code: str) -> None:
    got_status, _, body = call("GET", f"/api/v1/fail/{kind}")
    assert got_status == status
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_throttling_says_when_to_retry_and_401_names_the_scheme() -> None:
    _, headers, _ = call("GET", "/api/v1/fail/throttled")
    assert headers["retry-after"] == "30"
    _, headers, _ = call("GET", "/api/v1/fail/unauth")
    assert headers["www-authenticate"] == "Bearer"


def test_unexpected_error_is_a_generic_500_logged_with_the_correlation_id(caplog: pytest.LogCaptureFixture) -> None:
    status, _, body = call("GET", "/api/v1/fail/bug")
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret internals" not in json.dumps(body)
    assert body["error"]["details"] == {"request_id": "req-123"}
    # Rendered as Powertools renders it to CloudWatch: JSON with the correlation id of the request.
    formatter = logger.registered_formatter
    errors = [json.loads(formatter.format(r)) for r in caplog.records if r.levelname == "ERROR"]
    assert errors, "the failure was not logged"
    assert errors[0]["correlation_id"] == "req-123"
    assert "secret internals" in errors[0]["exception"]  # visible to operators, not to the caller


def test_validation_errors_are_422_with_the_field_path_of_each_problem() -> None:
    status, _, body = call("POST", "/api/v1/items", {"name": "", "tags": ["a", "b", "c"]})
    assert status == 422
    paths = {d["path"] for d in body["error"]["details"]}
    assert paths == {"body.name", "body.tags"}
    assert all(d["message"] and d["type"] for d in body["error"]["details"])


def test_malformed_json_is_422_not_500() -> None:
    request = HttpRequest(
        "POST", "/api/v1/items", "/api/v1/items", "", [("content-type", "application/json")], b"{oops"
    )
    event = build_event(request, RouteMatch("POST /api/v1/items"), GatewayIdentity())
    result = handler(event, LambdaContext(FunctionSpec("ErrorsTest", "x")))
    assert result["statusCode"] == 422
    assert json.loads(result["body"])["error"]["details"][0]["type"] == "json_invalid"


def test_unknown_path_inside_a_function_uses_the_error_body() -> None:
    status, _, body = call("GET", "/api/v1/nowhere")
    assert status == 404
    assert body["error"]["code"] == "not_found"
