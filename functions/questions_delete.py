"""DELETE /api/v1/questions/{question_id}."""

from uuid import UUID

from fastapi import APIRouter, Depends, Response

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.delete("/api/v1/questions/{question_id}", status_code=204, responses=error_responses(401, 403, 404, 409))
async def delete_question(question_id: UUID, db: Database = Depends(database)) -> Response:
    """Delete a question of a draft version (409 for a published one, or when others depend on it)."""
    service.delete_question(db, question_id)
    return Response(status_code=204)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
