"""POST /api/v1/webhooks/twilio/whatsapp: a respondent's WhatsApp message, as Twilio posts it."""

from typing import Any

from fastapi import APIRouter, Response

from functions.routes import entry
from shared.web import Ctx, Rt, TwilioForm, create_app, error_responses, make_handler
from shared.web.forms import parse_form
from shared.whatsapp import service
from shared.whatsapp.models import InboundMessage, form_body
from shared.whatsapp.paths import INBOUND_PATH

router = APIRouter(tags=["whatsapp"])
TWIML: dict[int | str, dict[str, Any]] = {
    200: {"description": "TwiML: the replies, or an empty <Response/>.", "content": {"text/xml": {}}}
}


@router.post(
    INBOUND_PATH,
    response_class=Response,
    responses={**TWIML, **error_responses(403, 413, 422)},
    openapi_extra=form_body(InboundMessage),
)
async def whatsapp_message(form: TwilioForm, rt: Rt, ctx: Ctx) -> Response:
    """Twilio's incoming-message webhook (form-encoded, signed with X-Twilio-Signature: 403 otherwise). The
    conversation takes the message one at a time per respondent and answers with TwiML; a MessageSid delivered
    again gets the reply it got the first time and changes nothing."""
    message = parse_form(InboundMessage, form)
    received = service.receive(rt, message, ctx)
    callback = service.status_callback_url(rt, ctx) if received.messages else None
    return Response(service.twiml(received.messages, callback), media_type="text/xml")


app = create_app(router, entry(__name__))
handler = make_handler(app)
