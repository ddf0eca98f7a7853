"""PATCH /api/v1/questions/{question_id}."""

from uuid import UUID

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.definition import QuestionDef
from shared.questionnaires.models import QuestionPublic
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.patch(
    "/api/v1/questions/{question_id}", response_model=QuestionPublic, responses=error_responses(401, 403, 404, 409, 422)
)
async def update_question(question_id: UUID, body: QuestionDef, db: Database = Depends(database)) -> QuestionPublic:
    """Replace a question of a draft version (409 for a published one)."""
    return service.update_question(db, question_id, body)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
