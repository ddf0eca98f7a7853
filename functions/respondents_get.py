"""GET /api/v1/respondents/{respondent_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.assessments import queries
from shared.assessments.models import RespondentOut
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get(
    "/api/v1/respondents/{respondent_id}", response_model=RespondentOut, responses=error_responses(401, 403, 404, 422)
)
async def get_respondent(respondent_id: UUID, principal: CurrentUser, db: Db) -> RespondentOut:
    """One respondent (404 for one an enumerator did not enter)."""
    return queries.get_respondent(db, queries.Viewer(principal.id, principal.role), respondent_id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
