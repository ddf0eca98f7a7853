"""POST /api/v1/questions."""

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.models import QuestionCreate, QuestionPublic
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.post(
    "/api/v1/questions",
    status_code=201,
    response_model=QuestionPublic,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def create_question(body: QuestionCreate, db: Db) -> QuestionPublic:
    """Add a question to a draft questionnaire version (409 for a published one)."""
    return service.add_question(db, body.version_id, body.question, body.position)


app = create_app(router, entry(__name__))
handler = make_handler(app)
