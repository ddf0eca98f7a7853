"""DELETE /api/v1/exports/{export_id}/links/{link_id}."""

from uuid import UUID

from fastapi import APIRouter, Response

from functions.routes import entry
from shared.exports import service
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.delete(
    "/api/v1/exports/{export_id}/links/{link_id}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 422),
)
async def revoke_link(export_id: UUID, link_id: UUID, principal: CurrentUser, rt: Rt, ctx: Ctx) -> Response:
    """Revoke a share link at once: its URL answers 410 from now on."""
    service.revoke_link(rt, principal, export_id, link_id, ctx)
    return Response(status_code=204)


app = create_app(router, entry(__name__))
handler = make_handler(app)
