"""POST /api/v1/auth/signup."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import SignupCreate, UserPublic
from shared.web import Ctx, Db, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post(
    "/api/v1/auth/signup", status_code=201, response_model=UserPublic, responses=error_responses(403, 409, 422, 429)
)
async def signup(body: SignupCreate, db: Db, ctx: Ctx) -> UserPublic:
    """Create an account. On an empty system the first account becomes the super-admin; after that an
    `invitation_token` from `POST /api/v1/users/invitations` is required (403 without one; refusals are
    throttled per client, 429). Passwords need 12-128 characters, no control characters, and must be neither
    common nor easy to guess."""
    return sessions.signup(db, body.email, body.password, body.full_name, body.invitation_token, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
