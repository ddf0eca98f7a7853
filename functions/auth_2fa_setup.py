"""POST /api/v1/auth/2fa/setup."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import twofactor
from shared.auth.models import TwoFactorSetup
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/setup", response_model=TwoFactorSetup, responses=error_responses(401, 409))
async def setup_2fa(
    principal: CurrentUser,
    rt: Rt,
    ctx: Ctx,
) -> TwoFactorSetup:
    """Start turning on 2FA: a new TOTP secret, its otpauth URI and a QR code of it. Nothing changes until
    `POST /api/v1/auth/2fa/enable` confirms a code."""
    return twofactor.setup_2fa(rt, principal, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
