"""GET /api/v1/users."""

from fastapi import APIRouter, Depends, Query

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import UserPage
from shared.db import Database
from shared.web import create_app, database, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.get("/api/v1/users", response_model=UserPage, responses=error_responses(401, 403, 422))
async def list_users(
    cursor: str | None = Query(default=None, max_length=254),
    limit: int = Query(default=50, ge=1, le=200),
    db: Database = Depends(database),
) -> UserPage:
    """Every account, by email (super-admin)."""
    return service.list_users(db, cursor, limit)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
