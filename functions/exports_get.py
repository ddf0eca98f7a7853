"""GET /api/v1/exports/{export_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.exports import service
from shared.exports.models import ExportPublic
from shared.web import CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get("/api/v1/exports/{export_id}", response_model=ExportPublic, responses=error_responses(401, 403, 404, 422))
async def get_export(export_id: UUID, principal: CurrentUser, rt: Rt) -> ExportPublic:
    """One export: status, rows done and to do, size and SHA-256 of the file when ready."""
    return service.get_export(rt, principal, export_id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
