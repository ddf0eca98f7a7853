"""GET /api/v1/costs/requests/{request_id}."""

from fastapi import APIRouter, Path

from functions.routes import entry
from shared.costs import service
from shared.costs.models import CostRequestPublic
from shared.web import Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["costs"])


@router.get(
    "/api/v1/costs/requests/{request_id}",
    response_model=CostRequestPublic,
    responses=error_responses(401, 403, 404, 422),
)
async def get_cost_request(rt: Rt, request_id: str = Path(pattern=r"^[A-Za-z0-9=+/_-]{1,100}$")) -> CostRequestPublic:
    """One ledger row, by the Lambda request id or by the API Gateway request id a client saw (the
    `apigw-requestid` response header)."""
    return service.get_request(rt, request_id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
