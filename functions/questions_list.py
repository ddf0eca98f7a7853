"""GET /api/v1/questions."""

from uuid import UUID

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.auth.permissions import roles_for
from shared.i18n import Lang
from shared.questionnaires import service
from shared.questionnaires.models import QuestionsPublic
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["questionnaires"])


@router.get("/api/v1/questions", response_model=QuestionsPublic, responses=error_responses(401, 403, 404, 422))
async def list_questions(
    principal: CurrentUser,
    db: Db,
    questionnaire_id: UUID | None = None,
    version: int | None = Query(default=None, ge=1, le=2_147_483_647),
    lang: Lang = "en",
) -> QuestionsPublic:
    """The questions of the active published questionnaire version, in order, with their options and show-if
    rules; or of the version given by `questionnaire_id` and `version`. Labels in `lang`. Weights and option
    scores only for those who may edit questionnaires (null for the others)."""
    scoring = principal.role.value in roles_for("questionnaires.write")
    return service.questions(db, questionnaire_id, version, lang, scoring=scoring)


app = create_app(router, entry(__name__))
handler = make_handler(app)
