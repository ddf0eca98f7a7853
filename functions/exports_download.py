"""GET /api/v1/exports/{export_id}/download."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse

from functions.routes import entry
from shared.exports import service
from shared.exports.models import DownloadUrl
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get(
    "/api/v1/exports/{export_id}/download",
    status_code=303,
    response_class=RedirectResponse,
    response_model=None,
    responses={
        303: {"description": "To the file: a presigned S3 URL, valid 5 minutes."},
        200: {"model": DownloadUrl, "description": "With `redirect=false`: the same URL, as JSON."},
        **error_responses(401, 403, 404, 409, 410, 422),
    },
)
async def download_export(
    export_id: UUID, principal: CurrentUser, rt: Rt, ctx: Ctx, redirect: bool = True
) -> RedirectResponse | JSONResponse:
    """The file of a ready export, as an attachment with its file name (409 while not ready, 410 once its
    file has expired). With `redirect=false` the presigned URL comes as JSON instead of a 303: a browser
    application cannot send its token along a redirect it follows by navigating, nor read a redirect's
    Location, so it asks for the URL and then goes to it."""
    url = service.download_url(rt, principal, export_id, ctx)
    headers = {"Cache-Control": "no-store"}
    if redirect:
        return RedirectResponse(url, status_code=303, headers=headers)
    expires_at = datetime.now(UTC) + timedelta(seconds=service.DOWNLOAD_URL_SECONDS)
    return JSONResponse(DownloadUrl(url=url, expires_at=expires_at).model_dump(mode="json"), headers=headers)


app = create_app(router, entry(__name__))
handler = make_handler(app)
