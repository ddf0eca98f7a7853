"""GET /api/v1/exports/{export_id}/links."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.exports import service
from shared.exports.models import LinkList
from shared.web import CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get("/api/v1/exports/{export_id}/links", response_model=LinkList, responses=error_responses(401, 403, 404, 422))
async def list_links(export_id: UUID, principal: CurrentUser, rt: Rt) -> LinkList:
    """The export's share links, newest first, with their status and download counts (never their URLs)."""
    return service.list_links(rt, principal, export_id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
