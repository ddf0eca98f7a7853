"""POST /api/v1/users/invitations."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import users
from shared.auth.models import InvitationCreate, InvitationPublic
from shared.web import Ctx, CurrentUser, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.post(
    "/api/v1/users/invitations",
    status_code=201,
    response_model=InvitationPublic,
    responses=error_responses(401, 403, 409, 422),
)
async def invite(
    body: InvitationCreate,
    principal: CurrentUser,
    db: Db,
    ctx: Ctx,
) -> InvitationPublic:
    """Invite someone with a role (super-admin). The answer holds the one-time `token` for their signup;
    it is valid for 7 days."""
    return users.invite(db, principal, body.email, body.role, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
