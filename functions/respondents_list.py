"""GET /api/v1/respondents."""

from fastapi import APIRouter, Depends, Query

from functions.routes import rule_of
from shared.assessments import queries
from shared.assessments.models import RespondentPage
from shared.auth.service import Principal
from shared.db import Database
from shared.web import create_app, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get("/api/v1/respondents", response_model=RespondentPage, responses=error_responses(401, 403, 422))
async def list_respondents(
    sector: str | None = Query(default=None, max_length=40),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    db: Database = Depends(database),
) -> RespondentPage:
    """Respondents, newest first. Enumerators see only those they entered."""
    return queries.list_respondents(db, queries.Viewer(principal.id, principal.role), sector, cursor, limit)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
