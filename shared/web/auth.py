"""Authentication and authorization at the edge: every app enforces its manifest entry's rule (the types of
shared/manifest.py) before its route runs.

``Public``: anyone. ``MfaPending``: the short-lived token between password and second factor, as a Bearer
header or the body's ``mfa_token``. ``Roles``: an access token of a user who, per the database right now,
holds one of the roles (super-admin holds all). ``TwilioSignature``: see shared/whatsapp.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from shared.errors import Unauthorized
from shared.manifest import AuthRule, MfaPending, Public, Roles
from shared.request_context import RequestContext
from shared.runtime import current_runtime

Authorizer = Callable[[Request], Awaitable[None]]


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


async def _public(request: Request) -> None:
    return None


async def _mfa_pending(request: Request) -> None:
    from shared.auth.sessions import verify_mfa_token

    token = bearer_token(request)
    if token is None:
        try:
            is_json = request.headers.get("content-type", "").startswith("application/json")
            body = await request.json() if is_json else {}
        except ValueError:  # not JSON, or not UTF-8: no token in it (the route itself answers 400/422)
            body = {}
        token = body.get("mfa_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise Unauthorized("An mfa_token is required.")
    request.state.mfa_claims = verify_mfa_token(current_runtime(), token)


def _signed_in(allowed: frozenset[str]) -> Authorizer:
    async def signed_in(request: Request) -> None:
        from shared.auth.sessions import authorize, identify

        token = bearer_token(request)
        if token is None:
            raise Unauthorized("Sign in first: send Authorization: Bearer <access token>.")
        runtime = current_runtime()
        principal = identify(runtime, token)
        runtime.meter.attribute(actor=f"user:{principal.id}")  # denied requests have a caller too
        authorize(principal, allowed)
        request.state.principal = principal

    return signed_in


def authorizer(rule: AuthRule) -> Authorizer:
    """The dependency enforcing ``rule``; it raises Unauthorized (401) or Forbidden (403)."""
    match rule:
        case Public():
            return _public
        case MfaPending():
            return _mfa_pending
        case Roles(roles=allowed):
            return _signed_in(allowed)
    # Rules of other kinds of function (webhooks, WebSocket routes, jobs) are enforced by their own wrapper.
    raise ValueError(f"{rule} is not enforced by an HTTP app of this kind")
