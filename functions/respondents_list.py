"""GET /api/v1/respondents."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.assessments import queries
from shared.assessments.models import RespondentPage
from shared.pagination import CURSOR_PATTERN
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["assessments"])


@router.get("/api/v1/respondents", response_model=RespondentPage, responses=error_responses(401, 403, 422))
async def list_respondents(
    principal: CurrentUser,
    db: Db,
    sector: str | None = Query(default=None, max_length=40),
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page."),
    limit: int = Query(default=50, ge=1, le=200),
) -> RespondentPage:
    """Respondents, newest first. Enumerators see only those they entered."""
    return queries.list_respondents(db, queries.Viewer(principal.id, principal.role), sector, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
