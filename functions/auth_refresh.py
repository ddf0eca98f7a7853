"""POST /api/v1/auth/refresh."""

from fastapi import APIRouter, Depends

from functions.routes import rule_of
from shared.auth import service
from shared.auth.models import RefreshRequest, TokenPair
from shared.db import Database
from shared.request_context import RequestContext
from shared.web import create_app, current_context, database, error_responses, make_handler

router = APIRouter(tags=["auth"])


@router.post("/api/v1/auth/refresh", response_model=TokenPair, responses=error_responses(401, 422))
async def refresh(
    body: RefreshRequest, db: Database = Depends(database), ctx: RequestContext = Depends(current_context)
) -> TokenPair:
    """Trade a refresh token for a new pair; the old one is spent. Presenting a spent refresh token again
    ends the whole session it belongs to (401)."""
    return service.refresh(db, body.refresh_token, ctx)


app = create_app(router, auth=rule_of(__name__))
handler = make_handler(app)
