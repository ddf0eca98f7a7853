"""POST /api/v1/auth/login."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import LoginRequest, MfaRequired, TokenPair
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/login", response_model=TokenPair | MfaRequired, responses=error_responses(401, 422, 429))
async def login(
    body: LoginRequest, db: Database = Depends(database), ctx: RequestContext = Depends(current_context)
) -> TokenPair | MfaRequired:
    """Sign in with email and password. Without 2FA: the tokens. With 2FA on: only `mfa_required` and an
    `mfa_token` for `POST /api/v1/auth/2fa/verify-login`. Unknown email and wrong password answer alike
    (401); repeated failures answer 429 with `Retry-After`."""
    return service.login(db, body.email, body.password, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
