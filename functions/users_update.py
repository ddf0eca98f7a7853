"""PATCH /api/v1/users/{user_id}."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import users
from shared.auth.models import UserPublic, UserUpdate
from shared.web import Ctx, CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.patch("/api/v1/users/{user_id}", response_model=UserPublic, responses=error_responses(401, 403, 404, 409, 422))
async def update_user(
    user_id: UUID,
    body: UserUpdate,
    principal: CurrentUser,
    db: Db,
    ctx: Ctx,
) -> UserPublic:
    """Change a user's role or disable them (super-admin). It takes effect on their very next request;
    disabling also ends their sessions."""
    return users.update_user(db, principal, user_id, body.role, body.disabled, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
