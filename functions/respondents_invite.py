"""POST /api/v1/respondents/{respondent_id}/invite."""

from uuid import UUID

from fastapi import APIRouter

from functions.routes import entry
from shared.web import Ctx, CurrentUser, Rt, create_app, error_responses, make_handler
from shared.whatsapp import service
from shared.whatsapp.models import Invitation

router = APIRouter(tags=["whatsapp"])


@router.post(
    "/api/v1/respondents/{respondent_id}/invite",
    status_code=202,
    response_model=Invitation,
    responses=error_responses(401, 403, 404, 409, 422, 503),
)
async def invite(respondent_id: UUID, principal: CurrentUser, rt: Rt, ctx: Ctx) -> Invitation:
    """Invite a respondent to take the assessment on WhatsApp, or remind them of the one they started: a
    free-form message inside WhatsApp's 24-hour window, a Content template outside it. 404 for a respondent an
    enumerator did not enter; 409 when the respondent opted out or Twilio refuses the message."""
    return service.invite(rt, principal, respondent_id, ctx)


app = create_app(router, entry(__name__))
handler = make_handler(app)
