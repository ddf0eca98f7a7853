"""GET /api/v1/questionnaires."""

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.models import QuestionnaireList
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/questionnaires", response_model=QuestionnaireList, responses=error_responses(401, 403))
async def list_questionnaires(db: Db) -> QuestionnaireList:
    """Every questionnaire with its versions (draft and published)."""
    return service.list_questionnaires(db)


app = create_app(router, entry(__name__))
handler = make_handler(app)
