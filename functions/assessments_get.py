"""GET /api/v1/assessments/{assessment_id}."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.assessments import queries
from shared.assessments.models import AssessmentDetail
from shared.auth.service import Principal
from shared.db import Database
from shared.web import create_app, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get(
    "/api/v1/assessments/{assessment_id}",
    response_model=AssessmentDetail,
    responses=error_responses(401, 403, 404, 422),
)
async def get_assessment(
    assessment_id: UUID,
    lang: Literal["en", "fr"] = "en",
    principal: Principal = Depends(current_principal),
    db: Database = Depends(database),
) -> AssessmentDetail:
    """One assessment: respondent, answers with question and option labels, scores and recommendations."""
    return queries.get_assessment(db, queries.Viewer(principal.id, principal.role), assessment_id, lang)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
