"""PATCH /api/v1/questions/{question_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.questionnaires import service
from shared.questionnaires.definition import QuestionDef
from shared.questionnaires.models import QuestionPublic
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.patch(
    "/api/v1/questions/{question_id}", response_model=QuestionPublic, responses=error_responses(401, 403, 404, 409, 422)
)
async def update_question(question_id: UUID, body: QuestionDef, db: Db) -> QuestionPublic:
    """Replace a question of a draft version (409 for a published one)."""
    return service.update_question(db, question_id, body)


app = create_app(router, entry(__name__))
handler = make_handler(app)
