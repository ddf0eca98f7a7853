"""POST /api/v1/auth/2fa/disable."""

from fastapi import APIRouter, Response

from functions.routes import entry
from shared.auth import twofactor
from shared.auth.models import DisableTwoFactorRequest
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/disable", status_code=204, responses=error_responses(401, 403, 409, 422, 429))
async def disable_2fa(
    body: DisableTwoFactorRequest,
    principal: CurrentUser,
    rt: Rt,
    ctx: Ctx,
) -> Response:
    """Turn off 2FA with the password and a current TOTP code (or a recovery code)."""
    twofactor.disable_2fa(rt, principal, body.password, body.code, ctx)
    return Response(status_code=204)


app = create_app(router, entry(__name__))
handler = make_handler(app)
