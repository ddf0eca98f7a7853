"""POST /api/v1/auth/2fa/enable."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import twofactor
from shared.auth.models import CodeRequest, RecoveryCodes
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/enable", response_model=RecoveryCodes, responses=error_responses(401, 409, 422))
async def enable_2fa(
    body: CodeRequest,
    principal: CurrentUser,
    rt: Rt,
    ctx: Ctx,
) -> RecoveryCodes:
    """Turn on 2FA with a current code from the secret of `setup`. Answers ten single-use recovery codes,
    shown only this once."""
    return twofactor.enable_2fa(rt, principal, body.code, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
