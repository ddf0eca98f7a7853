"""POST /api/v1/auth/login."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import LoginRequest, MfaRequired, TokenPair
from shared.web import Ctx, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/login", response_model=TokenPair | MfaRequired, responses=error_responses(401, 422, 429))
async def login(body: LoginRequest, rt: Rt, ctx: Ctx) -> TokenPair | MfaRequired:
    """Sign in with email and password. Without 2FA: the tokens. With 2FA on: only `mfa_required` and an
    `mfa_token` for `POST /api/v1/auth/2fa/verify-login`. Unknown email and wrong password answer alike
    (401); repeated failures answer 429 with `Retry-After`."""
    return sessions.login(rt, body.email, body.password, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
