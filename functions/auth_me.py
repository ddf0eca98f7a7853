"""GET /api/v1/auth/me."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import UserPublic
from shared.web import CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.get("/api/v1/auth/me", response_model=UserPublic, responses=error_responses(401))
async def me(principal: CurrentUser, db: Db) -> UserPublic:
    """The signed-in user."""
    return sessions.me(db, principal)


app = create_app(router, entry(__name__))
handler = make_handler(app)
