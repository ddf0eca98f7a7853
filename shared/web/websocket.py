"""The Lambda entry point of a WebSocket route (``$connect``, ``$disconnect``, ``$default``): reads API Gateway's
WebSocket event (see tests/fixtures/apigw_websocket_*.json), enforces the route's auth rule, calls the
function, and answers the way API Gateway expects: on ``$connect`` a non-2xx status refuses the connection;
on a two-way ``$default`` the body goes back to the client as a message.

It ends in the one wrapper (shared.web.invocation), so WebSocket routes are logged, traced and metered like
any function: each message in and each reply is a billed message (32 KB steps), and ``$disconnect``, which
knows when the connection opened, counts its connection minutes.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.errors import DomainError
from shared.manifest import Entry, WebSocketConnection, WebSocketRoute, WebSocketTicket
from shared.observability import logger
from shared.realtime.models import SocketUser
from shared.runtime import Runtime, current_runtime
from shared.runtime.meter import WEBSOCKET_STEP_BYTES, Component, steps
from shared.web.errors import status_for
from shared.web.invocation import LambdaHandler, wrap

CORRELATION_PATH = "requestContext.requestId"


@dataclass(frozen=True)
class SocketRequest:
    """One WebSocket event as the function sees it."""

    route_key: str
    connection_id: str
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    query: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    source_ip: str | None = None
    connected_at: datetime | None = None
    request_time: datetime | None = None

    @property
    def age_s(self) -> float | None:
        if self.connected_at is None or self.request_time is None:
            return None
        return max(0.0, (self.request_time - self.connected_at).total_seconds())


@dataclass(frozen=True)
class SocketReply:
    status: int = 200
    body: dict[str, Any] | None = None


SocketHandle = Callable[[Runtime, SocketRequest, SocketUser | None], SocketReply]


def _time(epoch_ms: Any) -> datetime | None:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC) if isinstance(epoch_ms, int | float) and epoch_ms else None


def parse_event(event: dict[str, Any]) -> SocketRequest:
    context = event.get("requestContext") or {}
    body = event.get("body")
    if body is not None and event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    return SocketRequest(
        route_key=str(context.get("routeKey", "")),
        connection_id=str(context.get("connectionId", "")),
        headers={str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()},
        query={str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()},
        body=body,
        source_ip=(context.get("identity") or {}).get("sourceIp"),
        connected_at=_time(context.get("connectedAt")),
        request_time=_time(context.get("requestTimeEpoch")),
    )


def _authorize(rt: Runtime, entry: WebSocketRoute, request: SocketRequest) -> SocketUser | None:
    from shared.realtime import service

    match entry.auth:
        case WebSocketTicket():
            return service.redeem_ticket(rt, request.query.get("ticket"), request.headers.get("origin"))
        case WebSocketConnection():
            # API Gateway vouches for the connection id; the user is whoever opened it, if still allowed.
            return service.connection_user(rt, request.connection_id)
    raise ValueError(f"{entry.auth} is not a WebSocket rule")


def _meter(rt: Runtime, request: SocketRequest, reply: bytes | None) -> None:
    meter = rt.meter
    if request.route_key == "$disconnect":
        # Billed per minute of connection, counted once, when the connection ends.
        age = request.age_s
        meter.count(Component.WEBSOCKET_CONNECTION_MINUTE, max(1, math.ceil((age or 0) / 60)))
    elif request.route_key != "$connect":
        meter.count(Component.WEBSOCKET_MESSAGE, steps(len((request.body or "").encode()), WEBSOCKET_STEP_BYTES))
    if reply is not None:
        meter.count(Component.WEBSOCKET_MESSAGE, steps(len(reply), WEBSOCKET_STEP_BYTES))


def make_websocket_handler(entry: Entry, handle: SocketHandle) -> LambdaHandler:
    """The handler of a WebSocket route: the rule, then ``handle``; domain errors become their status (and, on a
    two-way route, the error message)."""
    if not isinstance(entry, WebSocketRoute):
        raise TypeError(f"{entry} is not a WebSocket route of the manifest")

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        rt = current_runtime()
        request = parse_event(event)
        try:
            user = _authorize(rt, entry, request)
            if user is not None:
                rt.meter.attribute(actor=f"user:{user.user_id}")
            reply = handle(rt, request, user)
        except DomainError as exc:
            from shared.realtime.service import error_message

            logger.info("WebSocket %s refused: %s", request.route_key, exc.code)
            reply = SocketReply(status_for(exc), error_message(exc) if entry.two_way else None)
        body = json.dumps(reply.body, separators=(",", ":")).encode() if reply.body is not None else None
        _meter(rt, request, body if entry.two_way else None)
        result: dict[str, Any] = {"statusCode": reply.status}
        if body is not None:
            result["body"] = body.decode()
        return result

    return wrap(entry, invoke, correlation_path=CORRELATION_PATH)
