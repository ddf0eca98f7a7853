"""One OpenAPI document for every route of the manifest, built from the function modules' routers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, FastAPI

from shared.manifest import AuthRule, MfaPending, Roles
from shared.web.app import API_TITLE, API_VERSION
from shared.web.errors import ERROR_BODY_REF, ERROR_SCHEMAS, error_body_content

API_DESCRIPTION = (
    "Skills assessments on WhatsApp and the web: questionnaires, scored submissions, reports, exports "
    'and the cost ledger. Every error answers `{"error": {"code", "message", "details"}}`.'
)


BEARER = "bearerAuth"


def build_openapi(routers: Iterable[APIRouter], auth_rules: Mapping[str, AuthRule] | None = None) -> dict[str, Any]:
    """The document of ``routers``; ``auth_rules`` (route key -> manifest auth rule) marks every route that
    takes a bearer token (a role's access token, the mfa token), so that the docs can send one (their
    Authorize button)."""
    app = FastAPI(title=API_TITLE, version=API_VERSION, description=API_DESCRIPTION)
    for router in routers:
        app.include_router(router)
    return _bearer_auth(_errors_use_the_error_body(app.openapi()), auth_rules or {})


def _bearer_auth(document: dict[str, Any], auth_rules: Mapping[str, AuthRule]) -> dict[str, Any]:
    document.setdefault("components", {})["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token from POST /api/v1/auth/login (or /auth/2fa/verify-login); for "
            "POST /api/v1/auth/2fa/verify-login, the mfa_token.",
        }
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(auth_rules.get(f"{method.upper()} {path}"), MfaPending | Roles):
                operation["security"] = [{BEARER: []}]
    return document


def _errors_use_the_error_body(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents its own 422 shape; ours is the one error body (shared.web.errors)."""
    default = {"$ref": "#/components/schemas/HTTPValidationError"}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {}).get("application/json", {})
                if content.get("schema") == default:
                    content["schema"] = dict(ERROR_BODY_REF)
    # A body that cannot be read at all (not UTF-8, not JSON where the route parses it itself) is a 400.
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                operation["responses"].setdefault(
                    "400", {"description": "Bad Request", "content": error_body_content()}
                )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document
