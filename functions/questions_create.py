"""POST /api/v1/questions."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.models import QuestionCreate, QuestionPublic
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questions",
    status_code=201,
    response_model=QuestionPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def create_question(body: QuestionCreate, db: Database = Depends(database)) -> QuestionPublic:
    """Add a question to a draft questionnaire version (409 for a published one)."""
    return service.add_question(db, body.version_id, body.question, body.position)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
