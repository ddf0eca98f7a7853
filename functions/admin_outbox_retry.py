"""POST /api/v1/admin/outbox/{event_id}/retry."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.outbox import service
from shared.outbox.models import OutboxEventPublic
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["admin"])


@router.post(
    "/api/v1/admin/outbox/{event_id}/retry",
    status_code=202,
    response_model=OutboxEventPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def retry(event_id: UUID, principal: CurrentUser, rt: Rt, ctx: Ctx) -> OutboxEventPublic:
    """Send a failed outbox event again (super-admin): it becomes pending with its attempts reset, and the
    relay is started. 409 for an event that is not failed. Audited."""
    return service.retry(rt, event_id, principal.id, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
