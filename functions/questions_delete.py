"""DELETE /api/v1/questions/{question_id}."""

from uuid import UUID

from fastapi import APIRouter, Response

from functions.routes import entry
from shared.questionnaires import service
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.delete("/api/v1/questions/{question_id}", status_code=204, responses=error_responses(401, 403, 404, 409))
async def delete_question(question_id: UUID, db: Db) -> Response:
    """Delete a question of a draft version (409 for a published one, or when others depend on it)."""
    service.delete_question(db, question_id)
    return Response(status_code=204)


app = create_app(router, entry(__name__))
handler = make_handler(app)
