"""POST /api/v1/auth/2fa/verify-login."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import TokenPair, VerifyLoginRequest
from shared.web import Ctx, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/verify-login", response_model=TokenPair, responses=error_responses(401, 422, 429))
async def verify_login(body: VerifyLoginRequest, rt: Rt, ctx: Ctx) -> TokenPair:
    """Finish a 2FA sign-in: the `mfa_token` from login and either a current TOTP `code` or a
    `recovery_code`. Each code works once; five wrong codes end the sign-in attempt, and wrong codes are
    counted per user across attempts: past five, 429 with `Retry-After`."""
    return sessions.verify_login(rt, body.mfa_token, body.code, body.recovery_code, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
