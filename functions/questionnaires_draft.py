"""POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/draft."""

from uuid import UUID

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.models import ImportResult
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

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
    principal: object = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> ImportResult:
    """A new draft version copied from a published one, to edit."""
    return service.new_draft(db, principal, questionnaire_id, version_id, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
