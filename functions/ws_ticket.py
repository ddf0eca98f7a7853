"""POST /api/v1/ws/ticket."""

from fastapi import APIRouter

from functions.routes import entry
from shared.realtime import service
from shared.realtime.models import TicketOut
from shared.web import CurrentUser, Rt, create_app, error_responses, make_handler

router = APIRouter(tags=["realtime"])


@router.post("/api/v1/ws/ticket", response_model=TicketOut, responses=error_responses(401))
async def ticket(principal: CurrentUser, rt: Rt) -> TicketOut:
    """A ticket to open one WebSocket connection (`wss://.../?ticket=...`; locally
    `ws://127.0.0.1:$PORT/api/v1/ws/dashboard?ticket=...`), from the application's own origin. Single use,
    valid 60 seconds; no token ever goes in a URL. Then send `{"type": "subscribe", "topics": ["dashboard"]}`
    and `{"type": "ping"}` (answered `{"type": "pong"}`)."""
    return service.issue_ticket(rt, principal.id)


app = create_app(router, entry(__name__))
handler = make_handler(app)
