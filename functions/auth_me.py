"""GET /api/v1/auth/me."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import UserPublic
from shared.db import Database
from shared.web import create_app, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.get("/api/v1/auth/me", response_model=UserPublic, responses=error_responses(401))
async def me(principal: service.Principal = Depends(current_principal), db: Database = Depends(database)) -> UserPublic:
    """The signed-in user."""
    return service.me(db, principal)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
