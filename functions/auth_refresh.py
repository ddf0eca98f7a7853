"""POST /api/v1/auth/refresh."""

from fastapi import APIRouter

from functions.routes import entry
from shared.auth import sessions
from shared.auth.models import RefreshRequest, TokenPair
from shared.web import Ctx, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/refresh", response_model=TokenPair, responses=error_responses(401, 422))
async def refresh(body: RefreshRequest, rt: Rt, ctx: Ctx) -> TokenPair:
    """Trade a refresh token for a new pair; the old one is spent. Presenting a spent refresh token again
    ends the whole session it belongs to (401)."""
    return sessions.refresh(rt, body.refresh_token, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
