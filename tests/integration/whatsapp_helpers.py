"""Talking to the WhatsApp webhooks as Twilio does: form bodies signed with twilio's RequestValidator over the
documented local URL (http://127.0.0.1:8000 + the route's path) and the development token of .env.example."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from dotenv import dotenv_values
from twilio.request_validator import RequestValidator

LOCAL_URL = "http://127.0.0.1:8000"
MESSAGE_PATH = "/api/v1/webhooks/twilio/whatsapp"
STATUS_PATH = "/api/v1/webhooks/twilio/status"
TOKEN = str(dotenv_values(Path(__file__).resolve().parents[2] / ".env.example")["TWILIO_AUTH_TOKEN"])


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


def message_form(phone: str, body: str, sid: str, **extra: str) -> dict[str, str]:
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Awa", "MessageType": "text", "SmsSid": sid,
        "WaId": phone.lstrip("+"), "SmsStatus": "received", "Body": body, "To": "whatsapp:+14155238886",
        "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid, "AccountSid": "AC" + "1" * 32,
        "From": f"whatsapp:{phone}", "ApiVersion": "2010-04-01", "ToCity": "", "ToState": "", **extra,
    }  # fmt: skip


async def post_signed(
    api: httpx.AsyncClient, url: str, form: dict[str, str], *, token: str = TOKEN, signature: str | None = None
) -> httpx.Response:
    """POST ``form`` to ``url`` (a full local URL, query included) with Twilio's signature of it."""
    signed = signature if signature is not None else RequestValidator(token).compute_signature(url, form)
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signed}
    return await api.post(target, content=urlencode(form), headers=headers)


class WhatsAppUser:
    """One respondent's phone: each ``send`` is a signed inbound message; ``last`` its TwiML answer."""

    def __init__(self, api: httpx.AsyncClient, phone: str = "+254700000001") -> None:
        self.api = api
        self.phone = phone
        self.last: httpx.Response | None = None

    async def post(
        self, body: str, *, sid: str | None = None, token: str = TOKEN, signature: str | None = None, **extra: str
    ) -> httpx.Response:
        form = message_form(self.phone, body, sid or new_sid(), **extra)
        self.last = await post_signed(self.api, LOCAL_URL + MESSAGE_PATH, form, token=token, signature=signature)
        return self.last

    async def send(self, body: str, *, sid: str | None = None) -> str:
        """The reply to ``body``: the TwiML messages joined (empty for <Response/>)."""
        response = await self.post(body, sid=sid)
        assert response.status_code == 200, response.text
        return "\n".join(replies(response))


def replies(response: httpx.Response) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314 - the platform's own answer
    assert root.tag == "Response"
    return [(m.findtext("Body") or m.text or "") for m in root.iter("Message")]


def status_actions(response: httpx.Response) -> list[str]:
    """Where Twilio would post the delivery status of each reply message."""
    root = ET.fromstring(response.content)  # noqa: S314 - the platform's own answer
    return [m.attrib["action"] for m in root.iter("Message")]
