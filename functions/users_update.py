"""PATCH /api/v1/users/{user_id}."""

from uuid import UUID

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import UserPublic, UserUpdate
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.patch("/api/v1/users/{user_id}", response_model=UserPublic, responses=error_responses(401, 403, 404, 409, 422))
async def update_user(
    user_id: UUID,
    body: UserUpdate,
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> UserPublic:
    """Change a user's role or disable them (super-admin). It takes effect on their very next request;
    disabling also ends their sessions."""
    return service.update_user(db, principal, user_id, body.role, body.disabled, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
