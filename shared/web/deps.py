"""The dependencies function modules declare, as ``Annotated`` types: ``Db``, ``Rt``, ``CurrentUser``, ``Ctx``,
``TwilioForm``, ``BaseUrl``. All ``async def``: see shared.web.app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth.principal import Principal
from shared.db import Database
from shared.errors import Unauthorized
from shared.request_context import RequestContext
from shared.runtime import Runtime, current_runtime
from shared.web.auth import request_context


async def runtime() -> Runtime:
    return current_runtime()


async def database() -> Database:
    return current_runtime().db


async def current_principal(request: Request) -> Principal:
    """The signed-in caller, set by the route's authorizer."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized()
    return principal


async def twilio_form(request: Request) -> dict[str, str]:
    """The form Twilio signed, as the route's TwilioSignature authorizer parsed and checked it."""
    form: dict[str, str] | None = getattr(request.state, "twilio_form", None)
    if form is None:
        raise Unauthorized()
    return form


async def current_context(request: Request) -> RequestContext:
    return request_context(request)


async def public_base_url(request: Request) -> str:
    """Where clients reach this API: PUBLIC_BASE_URL when configured, else the scheme and host the request
    came to through API Gateway (with the stage, for a named stage)."""
    configured = current_runtime().settings.public_base_url
    if configured:
        return configured.rstrip("/")
    event = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    headers = event.get("headers") or {}
    host = context.get("domainName") or headers.get("host") or request.url.netloc
    stage = context.get("stage") or "$default"
    proto = headers.get("x-forwarded-proto") or request.url.scheme
    return f"{proto}://{host}" + ("" if stage == "$default" else f"/{stage}")


Rt = Annotated[Runtime, Depends(runtime)]
Db = Annotated[Database, Depends(database)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
Ctx = Annotated[RequestContext, Depends(current_context)]
TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
BaseUrl = Annotated[str, Depends(public_base_url)]
