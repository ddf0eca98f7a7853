"""GET /api/v1/costs/summary."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.costs import service
from shared.costs.models import CostSummary, GroupBy
from shared.web import Rt, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["costs"])


@router.get("/api/v1/costs/summary", response_model=CostSummary, responses=error_responses(401, 403, 422))
async def cost_summary(
    rt: Rt,
    start: Timestamp | None = Query(default=None, alias="from", description="Start (inclusive); 30 days before `to`."),
    end: Timestamp | None = Query(default=None, alias="to", description="End (exclusive); now by default."),
    group_by: GroupBy = "route",
) -> CostSummary:
    """What the period's requests cost, grouped by route key (e.g. `GET /api/v1/health`), function, channel,
    day (UTC) or sector. Direct costs come from each request's ledger row; fixed costs of the deployment
    (Aurora capacity, RDS Proxy, NAT, endpoints) are shared out in proportion to database time. Amounts are
    decimal strings in USD."""
    first, last = service.period(start, end, rt.clock.now())
    return service.summary(rt, first, last, group_by)


app = create_app(router, entry(__name__))
handler = make_handler(app)
