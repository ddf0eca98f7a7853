"""GET /api/v1/exports/{export_id}/download."""

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from functions.routes import entry
from shared.exports import service
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get(
    "/api/v1/exports/{export_id}/download",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {"description": "To the file: a presigned S3 URL, valid 5 minutes."},
        **error_responses(401, 403, 404, 409, 410, 422),
    },
)
async def download_export(export_id: UUID, principal: CurrentUser, rt: Rt, ctx: Ctx) -> RedirectResponse:
    """The file of a ready export, as an attachment with its file name (409 while not ready, 410 once its
    file has expired)."""
    url = service.download_url(rt, principal, export_id, ctx)
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


app = create_app(router, entry(__name__))
handler = make_handler(app)
