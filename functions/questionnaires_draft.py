"""POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.models import ImportResult
from shared.web import Ctx, CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft",
    status_code=201,
    response_model=ImportResult,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def new_draft(
    questionnaire_id: UUID,
    version_id: UUID,
    principal: CurrentUser,
    db: Db,
    ctx: Ctx,
) -> ImportResult:
    """A new draft version copied from a published one, to edit."""
    return service.new_draft(db, principal, questionnaire_id, version_id, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
