"""GET /api/v1/questions."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from functions.routes import rule_of
from shared.db import Database
from shared.questionnaires import service
from shared.questionnaires.models import QuestionsPublic
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/questions", response_model=QuestionsPublic, responses=error_responses(401, 403, 404, 422))
async def list_questions(
    questionnaire_id: UUID | None = None,
    version: int | None = Query(default=None, ge=1),
    lang: Literal["en", "fr"] = "en",
    db: Database = Depends(database),
) -> QuestionsPublic:
    """The questions of the active published questionnaire version, in order, with their options and show-if
    rules; or of the version given by `questionnaire_id` and `version`. Labels in `lang`."""
    return service.questions(db, questionnaire_id, version, lang)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
