"""POST /api/v1/auth/2fa/disable."""

from fastapi import APIRouter, Depends, Response

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import DisableTwoFactorRequest
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/disable", status_code=204, responses=error_responses(401, 403, 409, 422, 429))
async def disable_2fa(
    body: DisableTwoFactorRequest,
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> Response:
    """Turn off 2FA with the password and a current TOTP code (or a recovery code)."""
    service.disable_2fa(db, principal, body.password, body.code, ctx)
    return Response(status_code=204)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
