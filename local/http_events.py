"""API Gateway HTTP API (payload format 2.0): request -> event, and Lambda result -> response.

Follows what API Gateway sends and accepts, field by field (see the recorded event in
tests/fixtures/apigw_v2_recorded_event.json): header names lower-cased, repeated headers and query
parameters joined with commas, the Cookie header moved to ``cookies``, ``x-forwarded-*`` and a trace id
added, bodies base64-encoded unless their content type is text and they are valid UTF-8.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

# What API Gateway passes as plain text; everything else (form posts, files, no type) is base64.
_TEXT_TYPES = re.compile(
    r"^(text/[^;]+|application/(json|xml|javascript|x-yaml|yaml|[\w.+-]+\+(json|xml)))\s*(;.*)?$",
    re.IGNORECASE,
)
# Hop-by-hop headers end at API Gateway and never reach the function.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# HTTP API answers 413 past 10 MB; Lambda's synchronous invoke limit is 6 MB, which bites first.
MAX_EVENT_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class GatewayIdentity:
    """Who the API says it is in every event. Defaults look like a real deployment's $default stage."""

    api_id: str = "local0api1"
    account_id: str = "123456789012"
    region: str = "us-east-1"
    stage: str = "$default"
    domain_name: str | None = None  # None: the Host the client used, as with a custom domain

    def domain_for(self, host: str) -> str:
        return self.domain_name or host


@dataclass
class HttpRequest:
    """A request as it arrived at the gateway, before API Gateway's rewriting."""

    method: str
    path: str  # decoded path, as sent (with the stage prefix for a named stage)
    raw_path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    scheme: str = "http"
    server_port: int = 80
    http_version: str = "1.1"


@dataclass
class RouteMatch:
    route_key: str
    path_parameters: dict[str, str] = field(default_factory=dict)


def new_request_id() -> str:
    # API Gateway's request ids look like "JKJaXmPLvHcESHA=": base64 of 10 random bytes.
    return base64.b64encode(os.urandom(10)).decode()


def new_trace_id(epoch_s: int) -> str:
    return f"Root=1-{epoch_s:08x}-{os.urandom(12).hex()}"


def is_text(content_type: str | None) -> bool:
    return bool(content_type) and bool(_TEXT_TYPES.match(content_type or ""))


def _as_text(body: bytes) -> str | None:
    """The body as text, or None when it is not valid UTF-8: API Gateway then hands it over base64-encoded,
    whatever its content type says, and the function decides what to answer."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def build_event(
    request: HttpRequest,
    match: RouteMatch,
    identity: GatewayIdentity,
    *,
    request_id: str | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    request_id = request_id or new_request_id()

    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key in _HOP_BY_HOP:
            continue
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    host = headers.get("host", "localhost")
    domain = identity.domain_for(host)
    headers["host"] = domain
    headers["content-length"] = str(len(request.body))
    headers.setdefault("x-amzn-trace-id", new_trace_id(now_ms // 1000))
    forwarded_for = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = request.scheme

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": match.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.query_string:
        params: dict[str, str] = {}
        for key, value in parse_qsl(request.query_string, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    event["requestContext"] = {
        "accountId": identity.account_id,
        "apiId": identity.api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": f"HTTP/{request.http_version}",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": match.route_key,
        "stage": identity.stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now_ms / 1000)),
        "timeEpoch": now_ms,
    }
    if match.path_parameters:
        event["pathParameters"] = dict(match.path_parameters)
    content_type = headers.get("content-type")
    text = _as_text(request.body) if is_text(content_type) else None
    binary = text is None
    if request.body:
        event["body"] = base64.b64encode(request.body).decode() if binary else text
    event["isBase64Encoded"] = binary
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def to_response(result: Any, request_id: str) -> HttpResponse:
    """Map a Lambda result back the way API Gateway does for payload format 2.0.

    A dict with ``statusCode`` is taken as is; any other JSON value is sent as a 200 JSON body.
    """
    gateway_headers = [("apigw-requestid", request_id)]
    if not (isinstance(result, dict) and "statusCode" in result):
        body = json.dumps(result).encode()
        return HttpResponse(200, [("content-type", "application/json"), *gateway_headers], body)
    headers: list[tuple[str, str]] = [(k.lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name.lower(), str(v)) for v in values)
    headers.extend(("set-cookie", cookie) for cookie in result.get("cookies") or [])
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    headers = [(k, v) for k, v in headers if k != "content-length"]
    if not any(k == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(int(result["statusCode"]), [*headers, *gateway_headers], body)


def gateway_error(status: int, message: str, request_id: str | None = None) -> HttpResponse:
    """The gateway's own error answers, e.g. 404 {"message":"Not Found"} for a path no route matches."""
    headers = [("content-type", "application/json")]
    if request_id:
        headers.append(("apigw-requestid", request_id))
    return HttpResponse(status, headers, json.dumps({"message": message}, separators=(",", ":")).encode())


def decode_path(raw_path: str) -> str:
    return unquote(raw_path)
