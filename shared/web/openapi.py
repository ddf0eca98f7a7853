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
    return app.openapi()
