"""Authentication and authorization at the edge: every app enforces its manifest entry's rule (the types of
shared/manifest.py) before its route runs.

``Public``: anyone. ``MfaPending``: the short-lived token between password and second factor, as a Bearer
header or the body's ``mfa_token``. ``Roles``: an access token of a user who, per the database right now,
holds one of the roles (super-admin holds all). ``TwilioSignature``: a form Twilio signed (X-Twilio-Signature,
checked with twilio's RequestValidator against the configured public URL of the route, never one rebuilt from
request headers); without a configured token every request is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from shared.errors import ConfigError, Forbidden, PayloadTooLarge, Unauthorized
from shared.manifest import AuthRule, MfaPending, Public, Roles, TwilioSignature
from shared.observability import logger
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
    invocation = request.scope.get("aws.context")
    return RequestContext(
        source_ip=http.get("sourceIp"),
        correlation_id=context.get("requestId"),
        user_agent=http.get("userAgent"),
        invocation_id=getattr(invocation, "aws_request_id", None) or None,
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


MAX_FORM_BYTES = 32 * 1024  # Twilio's webhook forms are 1-2 KB; a WhatsApp body is at most 4096 characters
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 200


class _Form(dict[str, list[str]]):
    """Form fields with every value, blank ones included, as RequestValidator reads them (``getlist``)."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def _form(body: bytes, content_type: str) -> _Form | None:
    """The posted form, or None when the body is not one (an unsigned shape: refused like a bad signature)."""
    if content_type.split(";")[0].strip().lower() != FORM_TYPE:
        return None
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    form = _Form()
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def _twilio_signed(path: str) -> Authorizer:
    async def twilio_signed(request: Request) -> None:
        from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

        runtime = current_runtime()
        try:
            config = runtime.twilio
        except ConfigError as missing:  # fail closed
            logger.error("Twilio webhook refused: %s", missing, extra={"route": path})
            raise Forbidden("This webhook cannot check Twilio signatures: no token is configured.") from None
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge(f"Twilio forms are at most {MAX_FORM_BYTES} bytes here.")
        form = _form(body, request.headers.get("content-type", ""))
        # The URL Twilio was configured with, never the Host or X-Forwarded-* of the request; the query string
        # is the one API Gateway received.
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = config.webhook_url(path) + (f"?{query}" if query else "")
        signature = request.headers.get("x-twilio-signature", "")
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if (
            form is None
            or not signature
            or not RequestValidator(config.auth_token).validate(url, form, signature, algorithm)
        ):
            source = request_context(request).source_ip
            logger.warning("Twilio signature refused", extra={"route": path, "source_ip": source})
            raise Forbidden("The request is not signed by Twilio.")
        request.state.twilio_form = {name: values[0] for name, values in form.items()}

    return twilio_signed


def authorizer(rule: AuthRule, path: str | None = None) -> Authorizer:
    """The dependency enforcing ``rule`` on the route at ``path``; it raises Unauthorized (401) or Forbidden
    (403)."""
    match rule:
        case Public():
            return _public
        case MfaPending():
            return _mfa_pending
        case Roles(roles=allowed):
            return _signed_in(allowed)
        case TwilioSignature() if path is not None:
            return _twilio_signed(path)
    # Rules of other kinds of function (webhooks, WebSocket routes, jobs) are enforced by their own wrapper.
    raise ValueError(f"{rule} is not enforced by an HTTP app of this kind")
