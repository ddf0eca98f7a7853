"""GET /api/v1/users."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.auth import users
from shared.auth.models import UserPage
from shared.pagination import CURSOR_PATTERN
from shared.web import Db, create_app, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.get("/api/v1/users", response_model=UserPage, responses=error_responses(401, 403, 422))
async def list_users(
    db: Db,
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page."),
    limit: int = Query(default=50, ge=1, le=200),
) -> UserPage:
    """Every account, by email (super-admin)."""
    return users.list_users(db, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
