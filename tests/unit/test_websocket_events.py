"""The local WebSocket API builds the events API Gateway's WebSocket API sends: each equals a recorded one field by
field, except ids and times; and the functions read the recorded events as they read the local ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.websocket import (
    SocketIdentity,
    SocketRequest,
    build_connect_event,
    build_disconnect_event,
    build_message_event,
    new_connection_id,
)
from shared.web.websocket import parse_event

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONNECT = json.loads((FIXTURES / "apigw_websocket_connect.json").read_text())
MESSAGE = json.loads((FIXTURES / "apigw_websocket_message.json").read_text())
DISCONNECT = json.loads((FIXTURES / "apigw_websocket_disconnect.json").read_text())
IDENTITY = SocketIdentity(api_id="asasasas", stage="prod", domain_name=CONNECT["requestContext"]["domainName"])
CLIENT_IP = CONNECT["requestContext"]["identity"]["sourceIp"]
VOLATILE = {
    "requestContext.extendedRequestId", "requestContext.requestId", "requestContext.messageId",
    "requestContext.requestTime", "requestContext.requestTimeEpoch", "requestContext.connectedAt",
    "requestContext.connectionId", "headers.X-Amzn-Trace-Id", "multiValueHeaders.X-Amzn-Trace-Id",
}  # fmt: skip


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def _differences(produced: dict[str, Any], recorded: dict[str, Any], volatile: set[str]) -> list[str]:
    a, b = _flatten(produced), _flatten(recorded)
    return [
        f"{field}: {a.get(field, '<absent>')!r} != {b.get(field, '<absent>')!r}"
        for field in sorted((set(a) | set(b)) - volatile)
        if a.get(field, "<absent>") != b.get(field, "<absent>")
    ]


def test_the_connect_event_equals_a_recorded_one() -> None:
    # Given the handshake the recorded client sent (ASGI hands header names over lower-cased)
    sent = {k: v for k, v in CONNECT["headers"].items() if k != "X-Amzn-Trace-Id" and not k.startswith("X-Forwarded")}
    headers = [(k.lower(), v) for k, v in sent.items()] + [("connection", "Upgrade"), ("upgrade", "websocket")]
    request = SocketRequest(headers=headers, query_string="", source_ip=CLIENT_IP, scheme="https", server_port=443)

    event = build_connect_event(request, IDENTITY, new_connection_id(), 1731324924553)

    assert _differences(event, CONNECT, VOLATILE) == []
    for field in ("requestId", "extendedRequestId", "connectionId", "requestTime"):
        assert event["requestContext"][field]
    assert event["headers"]["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_a_connect_with_a_query_and_a_repeated_header_lists_both_ways() -> None:
    request = SocketRequest(
        headers=[("host", "h.example"), ("origin", "https://app.example"), ("x-multi", "a"), ("x-multi", "b")],
        query_string="ticket=abc&x=1&x=2",
        source_ip="10.0.0.1",
    )
    event = build_connect_event(request, SocketIdentity(), new_connection_id(), 1)
    assert event["queryStringParameters"] == {"ticket": "abc", "x": "2"}
    assert event["multiValueQueryStringParameters"] == {"ticket": ["abc"], "x": ["1", "2"]}
    assert event["headers"]["Origin"] == "https://app.example"
    assert event["headers"]["X-Multi"] == "a,b"
    assert event["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    assert event["requestContext"]["domainName"] == "h.example"


def test_the_message_event_equals_a_recorded_one() -> None:
    context = MESSAGE["requestContext"]
    event = build_message_event(
        IDENTITY, context["connectionId"], context["connectedAt"], context["domainName"], CLIENT_IP, MESSAGE["body"],
        route_key=context["routeKey"],
    )  # fmt: skip
    assert _differences(event, MESSAGE, VOLATILE - {"requestContext.connectedAt", "requestContext.connectionId"}) == []
    assert event["requestContext"]["messageId"] != event["requestContext"]["requestId"]


def test_a_binary_message_reaches_the_function_base64_encoded() -> None:
    event = build_message_event(IDENTITY, "c", 1, "d", CLIENT_IP, b"\x00\xff")
    assert event["isBase64Encoded"] is True
    assert parse_event(event).body is not None


def test_the_disconnect_event_equals_a_recorded_one() -> None:
    context = DISCONNECT["requestContext"]
    event = build_disconnect_event(
        IDENTITY, context["connectionId"], context["connectedAt"], context["domainName"], CLIENT_IP,
        context["disconnectStatusCode"], context["disconnectReason"],
    )  # fmt: skip
    assert (
        _differences(event, DISCONNECT, VOLATILE - {"requestContext.connectedAt", "requestContext.connectionId"}) == []
    )


@pytest.mark.parametrize("recorded", [CONNECT, MESSAGE, DISCONNECT], ids=["connect", "message", "disconnect"])
def test_the_functions_read_a_recorded_event(recorded: dict[str, Any]) -> None:
    request = parse_event(recorded)
    assert request.connection_id == recorded["requestContext"]["connectionId"]
    assert request.route_key == recorded["requestContext"]["routeKey"]
    assert request.source_ip == CLIENT_IP
    assert request.connected_at is not None
    if "headers" in recorded:
        assert request.headers["host"] == recorded["headers"]["Host"]


def test_a_disconnect_knows_how_long_the_connection_was_open() -> None:
    age = parse_event(DISCONNECT).age_s
    assert age == pytest.approx((1731333109875 - 1731332735513) / 1000)
