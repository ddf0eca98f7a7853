"""The local gateway: the same event API Gateway sends, API Gateway's own errors, the handlers' responses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local.gateway import Gateway, GatewayRoute, create_gateway_app
from local.http_events import GatewayIdentity
from local.lambda_runtime import FunctionSpec, LocalLambda
from tests.fixtures import recording_function

RECORDED = json.loads((Path(__file__).parent.parent / "fixtures" / "apigw_v2_recorded_event.json").read_text())
RECORDED_DOMAIN = RECORDED["requestContext"]["domainName"]
# Ids and times differ on every request; nothing else may.
VOLATILE = {"requestContext.requestId", "requestContext.routeId", "requestContext.time", "requestContext.timeEpoch",
            "headers.x-amzn-trace-id"}  # fmt: skip


@pytest.fixture
def runtime() -> Iterator[LocalLambda]:
    runtime = LocalLambda(environments=2)
    recording_function.events.clear()
    yield runtime
    runtime.shutdown()


def _client(app: Any, base_url: str, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(client_ip, 51000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.fixture
async def recording_gateway(runtime: LocalLambda) -> AsyncIterator[httpx.AsyncClient]:
    spec = FunctionSpec("Recorder", "tests.fixtures.recording_function", timeout_s=5)
    routes = [
        GatewayRoute("ANY", RECORDED["routeKey"].split(" ", 1)[1], spec),
        GatewayRoute("GET", "/things/{thing_id}", spec),
        GatewayRoute("GET", "/things/special", spec),
        GatewayRoute("GET", "/files/{path+}", spec),
    ]
    identity = GatewayIdentity(api_id="r3pmxmplak", region="us-east-2", stage="default")
    app = create_gateway_app(Gateway(routes, runtime, identity), openapi=False)
    async with _client(app, f"https://{RECORDED_DOMAIN}", client_ip="205.255.255.176") as client:
        yield client


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


async def test_the_event_equals_a_recorded_api_gateway_event_field_by_field(
    recording_gateway: httpx.AsyncClient,
) -> None:
    sent_headers = {
        k: v
        for k, v in RECORDED["headers"].items()
        if k not in {"host", "content-length", "x-amzn-trace-id"} and not k.startswith("x-forwarded-")
    }
    sent_headers["cookie"] = "; ".join(RECORDED["cookies"])

    response = await recording_gateway.get(RECORDED["rawPath"], headers=sent_headers)

    assert response.status_code == 201
    produced = _flatten(recording_function.events[-1])
    recorded = _flatten(RECORDED)
    for field in sorted((set(produced) | set(recorded)) - VOLATILE):
        assert produced.get(field, "<absent>") == recorded.get(field, "<absent>"), field
    for field in VOLATILE - {"requestContext.routeId"}:
        assert produced[field], field
    assert response.headers["apigw-requestid"] == recording_function.events[-1]["requestContext"]["requestId"]


async def test_responses_keep_status_headers_every_cookie_and_binary_bodies(
    recording_gateway: httpx.AsyncClient,
) -> None:
    response = await recording_gateway.get("/default/things/7")
    assert response.status_code == 201
    assert response.content == b"hello"
    assert response.headers["x-custom"] == "yes"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]


async def test_routes_match_like_api_gateway(recording_gateway: httpx.AsyncClient) -> None:
    await recording_gateway.get("/default/things/special")
    await recording_gateway.get("/default/things/42")
    await recording_gateway.get("/default/files/a/b/c.txt")
    keys = [(e["routeKey"], e.get("pathParameters")) for e in recording_function.events]
    assert keys == [
        ("GET /things/special", None),
        ("GET /things/{thing_id}", {"thing_id": "42"}),
        ("GET /files/{path+}", {"path": "a/b/c.txt"}),
    ]


async def test_a_path_with_a_line_break_is_routed_like_any_other(recording_gateway: httpx.AsyncClient) -> None:
    await recording_gateway.get("/default/things/a%0Ab")
    assert [e.get("pathParameters") for e in recording_function.events] == [{"thing_id": "a\nb"}]
    nowhere = await recording_gateway.get("/default/no%0Awhere")
    assert (nowhere.status_code, nowhere.json()) == (404, {"message": "Not Found"})


@pytest.mark.parametrize("path", ["/default/nowhere", "/things/42", "/default/things/42/more"])
async def test_unknown_paths_get_api_gateways_404(recording_gateway: httpx.AsyncClient, path: str) -> None:
    response = await recording_gateway.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    assert recording_function.events == []


async def test_a_failing_handler_is_api_gateways_500(recording_gateway: httpx.AsyncClient) -> None:
    response = await recording_gateway.get("/default/files/boom")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


async def test_a_plain_result_is_sent_as_json(recording_gateway: httpx.AsyncClient) -> None:
    response = await recording_gateway.get("/default/files/plain")
    assert response.status_code == 200
    assert response.json() == {"plain": True}


async def test_the_handler_gets_a_lambda_context(recording_gateway: httpx.AsyncClient) -> None:
    await recording_gateway.get("/default/things/1")
    context = recording_function.contexts[-1]
    assert context.function_name == "Recorder"
    assert context.memory_limit_in_mb == 512
    assert 0 < context.get_remaining_time_in_millis() <= 5000
    assert context.aws_request_id
