"""GET /api/v1/questionnaires/{questionnaire_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.models import QuestionnairePublic
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get(
    "/api/v1/questionnaires/{questionnaire_id}",
    response_model=QuestionnairePublic,
    responses=error_responses(401, 403, 404, 422),
)
async def get_questionnaire(questionnaire_id: UUID, db: Db) -> QuestionnairePublic:
    """One questionnaire with its versions."""
    return service.get_questionnaire(db, questionnaire_id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
