"""POST /api/v1/auth/2fa/enable."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import CodeRequest, RecoveryCodes
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/2fa/enable", response_model=RecoveryCodes, responses=error_responses(401, 409, 422))
async def enable_2fa(
    body: CodeRequest,
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> RecoveryCodes:
    """Turn on 2FA with a current code from the secret of `setup`. Answers ten single-use recovery codes,
    shown only this once."""
    return service.enable_2fa(db, principal, body.code, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
