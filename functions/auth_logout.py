"""POST /api/v1/auth/logout."""

from fastapi import APIRouter, Depends, Response

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import LogoutRequest
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, current_principal, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/logout", status_code=204, responses=error_responses(401, 403))
async def logout(
    body: LogoutRequest | None = None,
    principal: service.Principal = Depends(current_principal),
    db: Database = Depends(database),
    ctx: RequestContext = Depends(current_context),
) -> Response:
    """End this session: its access and refresh tokens stop working at once."""
    service.logout(db, principal, body.refresh_token if body else None, ctx)
    return Response(status_code=204)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
