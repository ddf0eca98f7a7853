"""POST /api/v1/questionnaires."""

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.definition import QuestionnaireDef
from shared.questionnaires.models import ImportResult
from shared.web import Ctx, CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questionnaires",
    status_code=201,
    response_model=ImportResult,
    responses=error_responses(401, 403, 409, 422),
)
async def create_questionnaire(
    body: QuestionnaireDef,
    principal: CurrentUser,
    db: Db,
    ctx: Ctx,
) -> ImportResult:
    """Create a questionnaire (or the next draft version of the one with the same `code`) from a definition."""
    return service.import_definition(db, principal, body, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
