"""GET /api/v1/questionnaires."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.models import QuestionnaireList
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/questionnaires", response_model=QuestionnaireList, responses=error_responses(401, 403))
async def list_questionnaires(db: Database = Depends(database)) -> QuestionnaireList:
    """Every questionnaire with its versions (draft and published)."""
    return service.list_questionnaires(db)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
