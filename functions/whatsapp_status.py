"""POST /api/v1/webhooks/twilio/status: delivery status callbacks of outbound WhatsApp messages."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from functions.routes import entry
from shared.web import Rt, TwilioForm, create_app, error_responses, make_handler
from shared.web.forms import parse_form
from shared.whatsapp import service
from shared.whatsapp.models import REQUEST_REF, StatusCallback, form_body
from shared.whatsapp.paths import STATUS_PATH

router = APIRouter(tags=["whatsapp"])


@router.post(
    STATUS_PATH,
    status_code=204,
    response_class=Response,
    responses=error_responses(403, 413, 422),
    openapi_extra=form_body(StatusCallback),
)
async def whatsapp_status(
    form: TwilioForm,
    rt: Rt,
    request: Annotated[str | None, Query(pattern=REQUEST_REF, description="The request that sent the replies.")] = None,
) -> Response:
    """Twilio's status callback (signed, as the message webhook): queued, sent, delivered, read, failed or
    undelivered, with its error code and, when Twilio reports it, the real price. A status only moves forward;
    21610 (opted out) stops all messages to the respondent; 63016 (outside the 24-hour window) sends a refused
    invitation or reminder again as a Content template."""
    service.record_status(rt, parse_form(StatusCallback, form), request)
    return Response(status_code=204)


app = create_app(router, entry(__name__))
handler = make_handler(app)
