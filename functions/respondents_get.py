"""GET /api/v1/respondents/{respondent_id}."""

from uuid import UUID

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.assessments import queries
from shared.assessments.models import RespondentOut
from shared.auth.service import Principal
from shared.db import Database
from shared.web import create_app, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get(
    "/api/v1/respondents/{respondent_id}", response_model=RespondentOut, responses=error_responses(401, 403, 404, 422)
)
async def get_respondent(
    respondent_id: UUID, principal: Principal = Depends(current_principal), db: Database = Depends(database)
) -> RespondentOut:
    """One respondent (404 for one an enumerator did not enter)."""
    return queries.get_respondent(db, queries.Viewer(principal.id, principal.role), respondent_id)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
