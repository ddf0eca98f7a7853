"""The local API Gateway WebSocket API: a real WebSocket server that hands the manifest's WebSocket functions the
events API Gateway sends (``$connect``, ``$default``, ``$disconnect``; checked against recorded ones in
tests/fixtures/apigw_websocket_*.json), and the management API (``POST``, ``GET``, ``DELETE
/@connections/{id}``) that boto3's apigatewaymanagementapi client reaches through WEBSOCKET_MANAGEMENT_URL, so
that the functions' boto3 code runs unchanged: a post to a connection that is gone answers 410 and boto3
raises GoneException, as in AWS.

As API Gateway does: ``$connect`` answering a non-2xx status refuses the handshake with that status; a
two-way ``$default``'s answer goes back to the client; a message over 128 KB closes the connection (1009);
``$disconnect`` is invoked once the connection is gone, after which posts to it answer 410. Unlike AWS the
management API checks the SigV4 header's presence, not its signature. The management API is answered in
front of the gateway's app (``ahead_of``): a broadcast makes one request per connection.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from local.http_events import new_trace_id
from local.lambda_runtime import FunctionSpec, LocalLambda

logger = logging.getLogger("local.websocket")

WS_PATH = "/api/v1/ws/dashboard"
MANAGEMENT_PATH = "/ws-management"
_CONNECTIONS = f"{MANAGEMENT_PATH}/@connections/"
MAX_MESSAGE_BYTES = 128 * 1024
# What API Gateway drops from the handshake's headers before the $connect event.
_DROPPED = frozenset({"connection", "upgrade", "content-length"})


@dataclass(frozen=True)
class SocketIdentity:
    """Who the WebSocket API says it is in every event (defaults look like a deployed "prod" stage)."""

    api_id: str = "local0ws01"
    stage: str = "prod"
    domain_name: str | None = None  # None: the Host the client used


def new_connection_id() -> str:
    # API Gateway's connection ids look like "BFaT_fALIAMCKug=".
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def _request_time(epoch_ms: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def _header_name(name: str) -> str:
    """Header names as a browser sends them (ASGI lower-cases them; API Gateway passes them on as sent)."""
    return "-".join(part.capitalize() for part in name.split("-")).replace("Websocket", "WebSocket")


@dataclass
class SocketRequest:
    """A handshake as it arrived, before API Gateway's rewriting."""

    headers: list[tuple[str, str]]
    query_string: str
    source_ip: str
    scheme: str = "https"
    server_port: int = 443


def _context(
    identity: SocketIdentity, route_key: str, event_type: str, connection_id: str, connected_at: int, domain: str,
    source_ip: str, now_ms: int, request_id: str, extra: Mapping[str, Any],
) -> dict[str, Any]:  # fmt: skip
    return {
        "routeKey": route_key,
        **({"messageId": extra["messageId"]} if "messageId" in extra else {}),
        **({"disconnectStatusCode": extra["disconnectStatusCode"]} if "disconnectStatusCode" in extra else {}),
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now_ms),
        "messageDirection": "IN",
        **({"disconnectReason": extra["disconnectReason"]} if "disconnectReason" in extra else {}),
        "stage": identity.stage,
        "connectedAt": connected_at,
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": source_ip, **({"userAgent": extra["userAgent"]} if extra.get("userAgent") else {})},
        "requestId": request_id,
        "domainName": domain,
        "connectionId": connection_id,
        "apiId": identity.api_id,
    }


def _new_request_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def build_connect_event(
    request: SocketRequest, identity: SocketIdentity, connection_id: str, connected_at: int, now_ms: int | None = None
) -> dict[str, Any]:
    now_ms = now_ms or int(time.time() * 1000)
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for raw_name, value in request.headers:
        if raw_name.lower() in _DROPPED:
            continue
        name = _header_name(raw_name)
        headers[name] = f"{headers[name]},{value}" if name in headers else value
        multi.setdefault(name, []).append(value)
    domain = identity.domain_name or headers.get("Host", "localhost")
    gateway = {
        "X-Amzn-Trace-Id": new_trace_id(now_ms // 1000),
        "X-Forwarded-For": request.source_ip,
        "X-Forwarded-Port": str(request.server_port),
        "X-Forwarded-Proto": request.scheme,
    }
    for name, value in gateway.items():
        headers[name] = value
        multi[name] = [value]
    event: dict[str, Any] = {"headers": headers, "multiValueHeaders": multi}
    if request.query_string:
        pairs = parse_qsl(request.query_string, keep_blank_values=True)
        event["queryStringParameters"] = {k: v for k, v in pairs}
        multi_query: dict[str, list[str]] = {}
        for k, v in pairs:
            multi_query.setdefault(k, []).append(v)
        event["multiValueQueryStringParameters"] = multi_query
    request_id = _new_request_id()
    event["requestContext"] = _context(
        identity, "$connect", "CONNECT", connection_id, connected_at, domain, request.source_ip, now_ms, request_id,
        {"userAgent": headers.get("User-Agent")},
    )  # fmt: skip
    event["isBase64Encoded"] = False
    return event


def build_message_event(
    identity: SocketIdentity, connection_id: str, connected_at: int, domain: str, source_ip: str,
    data: str | bytes, route_key: str = "$default", now_ms: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    now_ms = now_ms or int(time.time() * 1000)
    request_id = _new_request_id()
    binary = isinstance(data, bytes)
    return {
        "requestContext": _context(
            identity, route_key, "MESSAGE", connection_id, connected_at, domain, source_ip, now_ms, request_id,
            {"messageId": _new_request_id()},
        ),
        "body": base64.b64encode(data).decode() if isinstance(data, bytes) else data,
        "isBase64Encoded": binary,
    }  # fmt: skip


def build_disconnect_event(
    identity: SocketIdentity, connection_id: str, connected_at: int, domain: str, source_ip: str,
    status_code: int, reason: str, now_ms: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    now_ms = now_ms or int(time.time() * 1000)
    headers = {"Host": domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    return {
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "requestContext": _context(
            identity, "$disconnect", "DISCONNECT", connection_id, connected_at, domain, source_ip, now_ms,
            _new_request_id(), {"disconnectStatusCode": status_code, "disconnectReason": reason},
        ),
        "isBase64Encoded": False,
    }  # fmt: skip


@dataclass
class _Open:
    socket: WebSocket
    connected_at: int
    source_ip: str
    user_agent: str | None
    last_active: int
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat().replace("+00:00", "Z")


class WebSocketApi:
    """The WebSocket API's routes ($connect, $disconnect, $default -> functions) and open connections."""

    def __init__(
        self, functions: Mapping[str, FunctionSpec], runtime: LocalLambda, identity: SocketIdentity | None = None
    ) -> None:
        self.functions = dict(functions)
        self.runtime = runtime
        self.identity = identity or SocketIdentity()
        self.connections: dict[str, _Open] = {}

    def routes(self, path: str = WS_PATH) -> list[BaseRoute]:
        return [WebSocketRoute(path, self.serve)]

    def ahead_of(self, app: ASGIApp) -> ASGIApp:
        """``app`` with the management API answered in front of it: a broadcast makes one request per
        connection, and these need none of the app's routing, request objects or middleware."""

        async def front(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"].startswith(_CONNECTIONS):
                connection_id = scope["path"][len(_CONNECTIONS) :]
                if connection_id and "/" not in connection_id:
                    await self.manage(scope, receive, send, connection_id)
                    return
            await app(scope, receive, send)

        return front

    async def _invoke(self, route_key: str, event: dict[str, Any]) -> dict[str, Any] | None:
        spec = self.functions.get(route_key)
        if spec is None:
            return None
        try:
            result = await self.runtime.invoke(spec, event)
        except Exception:
            logger.exception("%s failed", spec.name)
            return {"statusCode": 500}
        return result if isinstance(result, dict) else {"statusCode": 200}

    async def serve(self, websocket: WebSocket) -> None:
        connection_id = new_connection_id()
        connected_at = int(time.time() * 1000)
        client = websocket.client
        scope = websocket.scope
        server = scope.get("server") or ("127.0.0.1", 80)
        request = SocketRequest(
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            source_ip=client.host if client else "127.0.0.1",
            scheme="https" if scope.get("scheme") == "wss" else "http",
            server_port=int(server[1] or 80),
        )
        event = build_connect_event(request, self.identity, connection_id, connected_at)
        domain = event["requestContext"]["domainName"]
        result = await self._invoke("$connect", event) or {"statusCode": 200}
        status = int(result.get("statusCode", 200))
        if not 200 <= status < 300:
            await websocket.send_denial_response(
                Response(result.get("body") or "", status_code=status, media_type="application/json")
            )
            return
        await websocket.accept()
        user_agent = event["headers"].get("User-Agent")
        self.connections[connection_id] = _Open(websocket, connected_at, request.source_ip, user_agent, connected_at)
        code, reason = 1005, "Client-side close frame status not set"
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    code = int(message.get("code") or 1005)
                    reason = str(message.get("reason") or reason)
                    break
                text = message.get("text")
                data: str | bytes = text if text is not None else bytes(message.get("bytes") or b"")
                size = len(data.encode() if isinstance(data, str) else data)
                if size > MAX_MESSAGE_BYTES:
                    code, reason = 1009, "Message too big"
                    await websocket.close(code=1009)
                    break
                self.connections[connection_id].last_active = int(time.time() * 1000)
                await self._message(connection_id, connected_at, domain, request.source_ip, data)
        except WebSocketDisconnect as exc:
            code = exc.code
        finally:
            # From here on, posts to it answer 410: the connection is gone.
            self.connections.pop(connection_id, None)
            await self._invoke(
                "$disconnect",
                build_disconnect_event(self.identity, connection_id, connected_at, domain, request.source_ip, code,
                                       reason),
            )  # fmt: skip

    async def _message(
        self, connection_id: str, connected_at: int, domain: str, source_ip: str, data: str | bytes
    ) -> None:
        event = build_message_event(self.identity, connection_id, connected_at, domain, source_ip, data)
        result = await self._invoke("$default", event)
        if result is None:
            return
        body = result.get("body")
        if int(result.get("statusCode", 200)) >= 500 and body is None:
            context = event["requestContext"]
            body = json.dumps({"message": "Internal server error", "connectionId": connection_id,
                               "requestId": context["requestId"]})  # fmt: skip
        if body is not None:
            await self._send(connection_id, body.encode() if isinstance(body, str) else body)

    async def _send(self, connection_id: str, data: bytes) -> bool:
        found = self.connections.get(connection_id)
        if found is None:
            return False
        async with found.lock:
            try:
                try:
                    await found.socket.send_text(data.decode("utf-8"))
                except UnicodeDecodeError:
                    await found.socket.send_bytes(data)
            except Exception:  # the client went away while we sent: as good as gone
                return False
        return True

    async def manage(self, scope: Scope, receive: Receive, send: Send, connection_id: str) -> None:
        """``@connections/{id}``: POST sends the body to the connection, GET describes it, DELETE closes it."""
        status, error, body = await self._manage(scope, receive, connection_id)
        headers = [(b"content-length", str(len(body)).encode())]
        if body:
            headers.append((b"content-type", b"application/json"))
        if error:
            # What boto3 reads an error from: the x-amzn-ErrorType header (GoneException -> client.exceptions).
            headers.append((b"x-amzn-errortype", error.encode()))
        if status == 405:
            headers.append((b"allow", b"DELETE, GET, POST"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _manage(self, scope: Scope, receive: Receive, connection_id: str) -> tuple[int, str, bytes]:
        """(status, error type, body)."""
        method = scope["method"]
        if method not in ("POST", "GET", "DELETE"):
            return 405, "", b""
        if not _header(scope, b"authorization").startswith(b"AWS4-HMAC-SHA256 "):
            return _error(403, "ForbiddenException", "Missing Authentication Token")
        found = self.connections.get(connection_id)
        if found is None:
            return _error(410, "GoneException", None)
        if method == "GET":
            body = {"connectedAt": _iso(found.connected_at), "lastActiveAt": _iso(found.last_active),
                    "identity": {"sourceIp": found.source_ip, "userAgent": found.user_agent or ""}}  # fmt: skip
            return 200, "", json.dumps(body, separators=(",", ":")).encode()
        if method == "DELETE":
            await found.socket.close(code=1000)
            self.connections.pop(connection_id, None)
            return 204, "", b""
        data = await _read_body(receive, MAX_MESSAGE_BYTES)
        if data is None:
            return _error(413, "PayloadTooLargeException", "Message too long")
        if not await self._send(connection_id, data):
            return _error(410, "GoneException", None)
        return 200, "", b""


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request's body, or None past ``limit`` bytes."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _error(status: int, error_type: str, message: str | None) -> tuple[int, str, bytes]:
    return status, error_type, json.dumps({"message": message}, separators=(",", ":")).encode()
