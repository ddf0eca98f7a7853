"""GET /api/v1/assessments."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.assessments import queries
from shared.assessments.models import AssessmentPage
from shared.pagination import CURSOR_PATTERN
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler
from shared.web.assessment_query import AssessmentQuery

router = APIRouter(tags=["assessments"])


@router.get("/api/v1/assessments", response_model=AssessmentPage, responses=error_responses(401, 403, 422))
async def list_assessments(
    principal: CurrentUser,
    db: Db,
    where: AssessmentQuery,
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page."),
    limit: int = Query(default=50, ge=1, le=200),
) -> AssessmentPage:
    """Submitted assessments, newest first, with their skill scores. Enumerators see only their own."""
    return queries.list_assessments(db, queries.Viewer(principal.id, principal.role), where, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
