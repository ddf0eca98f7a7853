"""GET /api/v1/assessments/{assessment_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.assessments import queries
from shared.assessments.models import AssessmentDetail
from shared.i18n import Lang
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get(
    "/api/v1/assessments/{assessment_id}",
    response_model=AssessmentDetail,
    responses=error_responses(401, 403, 404, 422),
)
async def get_assessment(assessment_id: UUID, principal: CurrentUser, db: Db, lang: Lang = "en") -> AssessmentDetail:
    """One assessment: respondent, answers with question and option labels, scores and recommendations."""
    return queries.get_assessment(db, queries.Viewer(principal.id, principal.role), assessment_id, lang)


app = create_app(router, entry(__name__))
handler = make_handler(app)
