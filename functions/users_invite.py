"""POST /api/v1/users/invitations."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import InvitationCreate, InvitationPublic
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["users"])


@router.post(
    "/api/v1/users/invitations",
    status_code=201,
    response_model=InvitationPublic,
    responses=error_responses(401, 403, 409, 422),
)
async def invite(
    body: InvitationCreate,
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> InvitationPublic:
    """Invite someone with a role (super-admin). The answer holds the one-time `token` for their signup;
    it is valid for 7 days."""
    return service.invite(db, principal, body.email, body.role, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
