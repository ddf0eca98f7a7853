"""GET /api/v1/admin/outbox."""

from typing import Literal

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.outbox import service
from shared.outbox.models import OutboxPage
from shared.pagination import CURSOR_PATTERN
from shared.web import Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["admin"])


@router.get("/api/v1/admin/outbox", response_model=OutboxPage, responses=error_responses(401, 403, 422))
async def list_outbox(
    rt: Rt,
    status: Literal["failed", "pending"] = "failed",
    event_type: str | None = Query(default=None, pattern=r"^[a-z_]+(\.[a-z_]+)+$", max_length=100),
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN),
    limit: int = Query(default=50, ge=1, le=200),
) -> OutboxPage:
    """Outbox events the relay gave up on (`failed`: after their last attempt, newest first, with the last
    error) or has still to deliver (`pending`, by when they are tried next) (super-admin). A failed event is
    sent again by `POST /api/v1/admin/outbox/{event_id}/retry`."""
    return service.list_events(rt, status, event_type, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
