"""Authentication and authorization at the edge: every app enforces its manifest rule before its route runs.

Rules: ``public``; ``mfa-pending`` (the short-lived token between password and second factor, as a Bearer
header or the body's ``mfa_token``); ``roles:a,b`` (an access token of a user who, per the database right
now, holds one of the roles; super-admin holds all).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from shared.db import get_database
from shared.errors import Unauthorized
from shared.request_context import RequestContext

PUBLIC = "public"
MFA_PENDING = "mfa-pending"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def request_context(request: Request) -> RequestContext:
    """Source IP and request id as API Gateway saw them (never taken from client-set headers)."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    return RequestContext(
        source_ip=http.get("sourceIp"), correlation_id=context.get("requestId"), user_agent=http.get("userAgent")
    )


def authorizer(rule: str) -> Callable[[Request], Awaitable[None]]:
    """The dependency enforcing ``rule``; raises Unauthorized (401) or Forbidden (403)."""
    if rule == PUBLIC:

        async def public(request: Request) -> None:
            return None

        return public

    if rule == MFA_PENDING:

        async def mfa_pending(request: Request) -> None:
            from shared.auth.service import verify_mfa_token

            token = bearer_token(request)
            if token is None:
                body = (
                    await request.json()
                    if request.headers.get("content-type", "").startswith("application/json")
                    else {}
                )
                token = body.get("mfa_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise Unauthorized("An mfa_token is required.")
            request.state.mfa_claims = verify_mfa_token(token)

        return mfa_pending

    if not rule.startswith("roles:"):
        raise ValueError(f"unknown auth rule {rule!r}")
    allowed = frozenset(rule.removeprefix("roles:").split(","))

    async def signed_in(request: Request) -> None:
        from shared.auth.service import authenticate

        token = bearer_token(request)
        if token is None:
            raise Unauthorized("Sign in first: send Authorization: Bearer <access token>.")
        request.state.principal = authenticate(get_database(), token, allowed)

    return signed_in


async def current_principal(request: Request) -> Any:
    """The signed-in caller (shared.auth.service.Principal), set by the route's authorizer."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized()
    return principal


async def current_context(request: Request) -> RequestContext:
    return request_context(request)
