"""The local gateway's event and response mapping follow API Gateway HTTP API, payload format 2.0."""

from __future__ import annotations

import base64
import json

from local.http_events import GatewayIdentity, HttpRequest, RouteMatch, build_event, to_response


def _request(**overrides: object) -> HttpRequest:
    values: dict[str, object] = {
        "method": "POST",
        "path": "/api/v1/things/42",
        "raw_path": "/api/v1/things/42",
        "query_string": "a=1&a=2&b=x%20y",
        "headers": [
            ("Host", "127.0.0.1:8000"),
            ("Content-Type", "application/json"),
            ("X-Multi", "one"),
            ("x-multi", "two"),
            ("Cookie", "s=1; t=2"),
            ("Connection", "keep-alive"),
        ],
        "body": b'{"k": "v"}',
        "source_ip": "10.1.2.3",
        "server_port": 8000,
    }
    values.update(overrides)
    return HttpRequest(**values)  # type: ignore[arg-type]


def test_json_request_becomes_a_text_event_with_joined_headers_and_query() -> None:
    event = build_event(
        _request(), RouteMatch("POST /api/v1/things/{id}", {"id": "42"}), GatewayIdentity(), request_id="r"
    )

    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /api/v1/things/{id}"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["pathParameters"] == {"id": "42"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert "connection" not in event["headers"]
    assert event["headers"]["x-multi"] == "one,two"
    assert event["headers"]["content-length"] == "10"
    assert event["headers"]["x-forwarded-for"] == "10.1.2.3"
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert event["body"] == '{"k": "v"}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["requestId"] == "r"
    assert context["http"] == {
        "method": "POST",
        "path": "/api/v1/things/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "10.1.2.3",
        "userAgent": "",
    }


def test_form_and_binary_bodies_are_base64_encoded() -> None:
    for content_type, body in (
        ("application/x-www-form-urlencoded", b"From=%2B2250700000000&Body=hello"),
        ("application/octet-stream", bytes(range(256))),
    ):
        event = build_event(
            _request(headers=[("content-type", content_type)], body=body),
            RouteMatch("POST /x"),
            GatewayIdentity(),
        )
        assert event["isBase64Encoded"] is True
        assert base64.b64decode(event["body"]) == body


def test_empty_query_and_no_params_are_left_out() -> None:
    event = build_event(
        _request(method="GET", query_string="", body=b"", headers=[]), RouteMatch("GET /x"), GatewayIdentity()
    )
    assert "queryStringParameters" not in event
    assert "pathParameters" not in event
    assert "cookies" not in event
    assert "body" not in event


def test_result_with_cookies_and_base64_body_maps_back() -> None:
    response = to_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain"},
            "cookies": ["a=1", "b=2"],
            "body": base64.b64encode(b"hi").decode(),
            "isBase64Encoded": True,
        },
        "req-1",
    )
    assert response.status == 201
    assert response.body == b"hi"
    assert ("set-cookie", "a=1") in response.headers
    assert ("set-cookie", "b=2") in response.headers
    assert ("content-type", "text/plain") in response.headers
    assert ("apigw-requestid", "req-1") in response.headers


def test_result_without_status_code_is_sent_as_200_json() -> None:
    response = to_response({"hello": "world"}, "req-2")
    assert response.status == 200
    assert json.loads(response.body) == {"hello": "world"}


def test_a_text_body_that_is_not_utf8_is_passed_base64_encoded() -> None:
    body = b'{"email": "\xff\xfe"}'
    event = build_event(_request(body=body), RouteMatch("POST /api/v1/things/{id}"), GatewayIdentity())
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body
