"""The WebSocket API's use cases: tickets, opening and closing connections, and the client's messages.

A connection is opened with a ticket, never a token in the URL: ``POST /api/v1/ws/ticket`` hands a signed-in
user a random 256-bit ticket (stored hashed, single use, valid 60 seconds), and ``$connect`` consumes it,
from an Origin among the SPA's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.auth.permissions import Role
from shared.errors import BadRequest, DomainError, Forbidden, Unauthorized, ValidationFailed, problem
from shared.realtime import repository
from shared.realtime.models import TICKET_TTL_S, TOPICS, ClientMessage, Ping, SocketUser, TicketOut, may_subscribe
from shared.runtime import Runtime

logger = logging.getLogger(__name__)

_MESSAGE = TypeAdapter(ClientMessage)
MAX_TICKET_CHARS = 100


def _hash(ticket: str) -> bytes:
    return hashlib.sha256(ticket.encode()).digest()


def issue_ticket(rt: Runtime, user_id: Any) -> TicketOut:
    ticket = secrets.token_urlsafe(32)
    expires_at = repository.issue_ticket(rt.db, _hash(ticket), user_id, TICKET_TTL_S)
    return TicketOut(ticket=ticket, expires_at=expires_at)


def redeem_ticket(rt: Runtime, ticket: str | None, origin: str | None) -> SocketUser:
    """The user a ``$connect`` may open a connection for. Raises Forbidden (an Origin that is not the SPA's,
    or none) and Unauthorized (no ticket, or one unknown, used, expired or of a disabled user)."""
    if origin is None or origin.strip().rstrip("/").lower() not in rt.settings.allowed_origins:
        raise Forbidden("Connections are accepted only from the application's own origin.")
    if not ticket or len(ticket) > MAX_TICKET_CHARS:
        raise Unauthorized("Connect with ?ticket=<a ticket from POST /api/v1/ws/ticket>.")
    row = repository.redeem_ticket(rt.db, _hash(ticket))
    if row is None:
        raise Unauthorized("The ticket is unknown, used or expired; ask for a new one.")
    return SocketUser(row["user_id"], Role(row["role"]))


def connection_user(rt: Runtime, connection_id: str) -> SocketUser | None:
    row = repository.connection_user(rt.db, connection_id)
    return SocketUser(row["user_id"], Role(row["role"])) if row else None


def open_connection(
    rt: Runtime, connection_id: str, user: SocketUser, source_ip: str | None, connected_at: datetime | None
) -> None:
    repository.add_connection(rt.db, connection_id, user.user_id, user.role.value, source_ip, connected_at)


def close_connection(rt: Runtime, connection_id: str) -> None:
    repository.delete_connection(rt.db, connection_id)


def handle_message(rt: Runtime, connection_id: str, user: SocketUser | None, body: str | None) -> dict[str, Any]:
    """The reply to one client message; a bad or refused message changes nothing and gets an error reply."""
    try:
        return _handle(rt, connection_id, user, body)
    except DomainError as exc:
        return error_message(exc)


def error_message(exc: DomainError) -> dict[str, Any]:
    return {"type": "error", "error": {"code": exc.code, "message": exc.message, "details": exc.details}}


def _handle(rt: Runtime, connection_id: str, user: SocketUser | None, body: str | None) -> dict[str, Any]:
    if user is None:
        raise Unauthorized("This connection is no longer open for you; reconnect with a new ticket.")
    try:
        message = _MESSAGE.validate_python(json.loads(body or ""))
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise ValidationFailed(
                "The message is invalid.",
                details=[problem(["message", *err["loc"]], err["msg"], err["type"]) for err in exc.errors()],
            ) from None
        raise BadRequest("A message is a JSON object with a type: ping, subscribe or unsubscribe.") from None
    if isinstance(message, Ping):
        return {"type": "pong"}
    unknown = sorted({t for t in message.topics if t not in TOPICS})
    if unknown:
        raise ValidationFailed(
            "Unknown topics.",
            details=[problem(["message", "topics"], f"unknown topics {unknown}; known: {sorted(TOPICS)}", "topic")],
        )
    refused = sorted({t for t in message.topics if not may_subscribe(user.role, t)})
    if refused and message.type == "subscribe":
        raise Forbidden(f"Your role may not subscribe to {', '.join(refused)}.", details={"topics": refused})
    topics = repository.set_topics(rt.db, connection_id, message.topics, add=message.type == "subscribe")
    if topics is None:
        raise Unauthorized("This connection is no longer open; reconnect with a new ticket.")
    return {"type": "subscribed", "topics": topics}
