"""GET /api/v1/exports."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.exports import service
from shared.exports.models import ExportPage
from shared.pagination import CURSOR_PATTERN
from shared.web import CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["exports"])


@router.get("/api/v1/exports", response_model=ExportPage, responses=error_responses(401, 403, 422))
async def list_exports(
    principal: CurrentUser,
    rt: Rt,
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN),
    limit: int = Query(default=50, ge=1, le=200),
) -> ExportPage:
    """Your exports, newest first, with their status and progress (super-admin: everyone's)."""
    return service.list_exports(rt, principal, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
