"""POST /api/v1/exports."""

from fastapi import APIRouter

from functions.routes import entry
from shared.exports import service
from shared.exports.models import ExportCreate, ExportCreated
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.post("/api/v1/exports", status_code=202, response_model=ExportCreated, responses=error_responses(401, 403, 422))
async def create_export(body: ExportCreate, principal: CurrentUser, rt: Rt, ctx: Ctx) -> ExportCreated:
    """Start an xlsx export; a worker makes it (progress and readiness reach the owner over the WebSocket).
    Assessments and answers need `exports.create`; costs need `costs.export` (finance, super-admin). The
    filters are those of the matching list endpoint."""
    return service.request_export(rt, principal, body, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
