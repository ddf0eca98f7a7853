"""One OpenAPI document for every route of the manifest, built from the function modules' routers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI

from shared.web.app import API_TITLE, API_VERSION

API_DESCRIPTION = (
    "Skills assessments on WhatsApp and the web: questionnaires, scored submissions, reports, exports "
    'and the cost ledger. Every error answers `{"error": {"code", "message", "details"}}`.'
)


def build_openapi(routers: Iterable[APIRouter]) -> dict[str, Any]:
    app = FastAPI(title=API_TITLE, version=API_VERSION, description=API_DESCRIPTION)
    for router in routers:
        app.include_router(router)
    return _errors_use_the_error_body(app.openapi())


def _errors_use_the_error_body(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents its own 422 shape; ours is the one error body (shared.web.errors)."""
    default = {"$ref": "#/components/schemas/HTTPValidationError"}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {}).get("application/json", {})
                if content.get("schema") == default:
                    content["schema"] = {"$ref": "#/components/schemas/ErrorBody"}
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document
