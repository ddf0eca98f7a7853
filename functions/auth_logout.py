"""POST /api/v1/auth/logout."""

from fastapi import APIRouter, Response

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import LogoutRequest
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/logout", status_code=204, responses=error_responses(401, 403))
async def logout(principal: CurrentUser, rt: Rt, ctx: Ctx, body: LogoutRequest | None = None) -> Response:
    """End this session: its access and refresh tokens stop working at once."""
    sessions.logout(rt, principal, body.refresh_token if body else None, ctx)
    return Response(status_code=204)


app = create_app(router, entry(__name__))
handler = make_handler(app)
