"""POST /api/v1/questionnaires."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.models import ImportResult
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questionnaires",
    status_code=201,
    response_model=ImportResult,
    responses=error_responses(401, 403, 409, 422),
)
async def create_questionnaire(
    body: QuestionnaireDef,
    principal: object = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> ImportResult:
    """Create a questionnaire (or the next draft version of the one with the same `code`) from a definition."""
    return service.import_definition(db, principal, body, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
