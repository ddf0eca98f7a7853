"""GET /api/v1/costs/requests."""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.costs import service
from shared.costs.models import CostRequestPage
from shared.pagination import CURSOR_PATTERN
from shared.web import Rt, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["costs"])


@router.get("/api/v1/costs/requests", response_model=CostRequestPage, responses=error_responses(401, 403, 422))
async def list_cost_requests(
    rt: Rt,
    start: Timestamp | None = Query(default=None, alias="from", description="Start (inclusive); 30 days before `to`."),
    end: Timestamp | None = Query(default=None, alias="to", description="End (exclusive); now by default."),
    route: str | None = Query(default=None, max_length=200, description="A route key, e.g. `GET /api/v1/health`."),
    function: str | None = Query(default=None, max_length=140),
    channel: Literal["web", "whatsapp", "websocket", "system"] | None = None,
    status: int | None = Query(default=None, ge=100, le=599),
    actor: str | None = Query(default=None, max_length=200),
    assessment_id: UUID | None = None,
    cursor: str | None = Query(default=None, pattern=CURSOR_PATTERN),
    limit: int = Query(default=50, ge=1, le=500),
) -> CostRequestPage:
    """The cost ledger, newest first: one row per invocation of any function, with what it used and what each
    component cost."""
    first, last = service.period(start, end, rt.clock.now())
    filters = {"route": route, "function": function, "channel": channel, "status": status, "actor": actor,
               "assessment_id": assessment_id}  # fmt: skip
    return service.list_requests(rt, first, last, filters, cursor, limit)


app = create_app(router, entry(__name__))
handler = make_handler(app)
