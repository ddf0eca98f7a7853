"""POST /api/v1/exports/{export_id}/links."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.exports import service
from shared.exports.models import LinkCreate, LinkCreated
from shared.web import BaseUrl, Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.post(
    "/api/v1/exports/{export_id}/links",
    status_code=201,
    response_model=LinkCreated,
    responses=error_responses(401, 403, 404, 409, 410, 422),
)
async def create_link(
    export_id: UUID, body: LinkCreate, principal: CurrentUser, rt: Rt, ctx: Ctx, base_url: BaseUrl
) -> LinkCreated:
    """A link anyone can download the export's file with, without an account, until it expires (7 days at
    most, never after the file), is revoked or has served `max_downloads`. Its URL is shown this once."""
    return service.create_link(rt, principal, export_id, body, base_url, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
