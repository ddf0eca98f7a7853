"""POST /api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish."""

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
    "/api/v1/questionnaires/{questionnaire_id}/versions/{version_id}/publish",
    response_model=ImportResult,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def publish(
    questionnaire_id: UUID,
    version_id: UUID,
    principal: object = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> ImportResult:
    """Publish a draft version. It becomes the active version and can never change again."""
    return service.publish(db, principal, questionnaire_id, version_id, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
