"""POST /api/v1/auth/2fa/setup."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import TwoFactorSetup
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/setup", response_model=TwoFactorSetup, responses=error_responses(401, 409))
async def setup_2fa(
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> TwoFactorSetup:
    """Start turning on 2FA: a new TOTP secret, its otpauth URI and a QR code of it. Nothing changes until
    `POST /api/v1/auth/2fa/enable` confirms a code."""
    return service.setup_2fa(db, principal, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
