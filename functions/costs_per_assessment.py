"""GET /api/v1/costs/per-assessment."""

from fastapi import APIRouter, Query

from functions.routes import entry
from shared.costs import service
from shared.costs.models import PerAssessmentCosts
from shared.web import Rt, create_app, error_responses, make_handler
from shared.web.guards import Timestamp

router = APIRouter(tags=["costs"])


@router.get("/api/v1/costs/per-assessment", response_model=PerAssessmentCosts, responses=error_responses(401, 403, 422))
async def cost_per_assessment(
    rt: Rt,
    start: Timestamp | None = Query(default=None, alias="from", description="Submitted at or after."),
    end: Timestamp | None = Query(default=None, alias="to", description="Submitted before; now by default."),
) -> PerAssessmentCosts:
    """Cost per completed assessment by channel and sector (mean, median, p95, total): every request of its
    form session or WhatsApp conversation counts, with its share of the fixed costs."""
    first, last = service.period(start, end, rt.clock.now())
    return service.per_assessment(rt, first, last)


app = create_app(router, entry(__name__))
handler = make_handler(app)
