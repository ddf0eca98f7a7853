"""The WhatsApp simulator: messages signed exactly as Twilio signs them, posted to the real webhook.

- ``make chat PHONE=+254700000001`` (this module's ``main``): a terminal chat with a running ``make dev``.
- ``POST /api/local/whatsapp/messages`` (``simulator_routes``): the same for the SPA's simulator page. A route of
  the local gateway only, never in the manifest, never deployed: it takes ``{"from": "+254...", "body": "..."}``,
  signs it with the local token, hands it to the gateway like any request, and answers ``{"replies": [...]}``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode, urlsplit

from dotenv import dotenv_values
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from local.state import REPO_ROOT
from shared.whatsapp.paths import INBOUND_PATH

SIMULATOR_PATH = "/api/local/whatsapp/messages"
PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
SANDBOX_NUMBER = "whatsapp:+14155238886"
MAX_BODY = 4096


def signed_form(url: str, token: str, phone: str, body: str, *, sid: str | None = None) -> tuple[bytes, dict[str, str]]:
    """A WhatsApp message as Twilio posts it to ``url``: the form body and its headers (X-Twilio-Signature)."""
    from twilio.request_validator import RequestValidator

    sid = sid or "SM" + secrets.token_hex(16)
    form = {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Simulator", "MessageType": "text", "SmsSid": sid,
        "WaId": phone.lstrip("+"), "SmsStatus": "received", "Body": body, "To": SANDBOX_NUMBER, "NumSegments": "1",
        "ReferralNumMedia": "0", "MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"whatsapp:{phone}",
        "ApiVersion": "2010-04-01",
    }  # fmt: skip
    signature = RequestValidator(token).compute_signature(url, form)
    headers = {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature}
    return urlencode(form).encode(), headers


def replies_of(twiml: bytes | str) -> list[str]:
    """The message bodies of a TwiML answer (none for ``<Response/>``)."""
    root = ET.fromstring(twiml)  # noqa: S314 - our own gateway's answer
    return [(m.findtext("Body") or m.text or "").strip() for m in root.iter("Message")]


# -- the dev relay for the SPA --------------------------------------------------------------------------------


def simulator_routes(gateway: Any) -> list[Route]:
    """The relay route; ``gateway`` is the local gateway (local.gateway.Gateway) it hands the message to."""
    from local.http_events import HttpRequest

    async def relay(request: Request) -> JSONResponse:
        from shared.config import get_settings

        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        problems = []
        if not isinstance(payload, dict):
            payload = {}
            problems.append({"loc": ["body"], "path": "body", "message": "a JSON object", "type": "type_error"})
        phone, text = payload.get("from"), payload.get("body")
        if not isinstance(phone, str) or not PHONE.match(phone):
            problems.append({"loc": ["body", "from"], "path": "body.from", "message": "an E.164 phone number",
                             "type": "value_error"})  # fmt: skip
        if not isinstance(text, str) or not 0 < len(text) <= MAX_BODY:
            problems.append({"loc": ["body", "body"], "path": "body.body", "message": f"1-{MAX_BODY} characters",
                             "type": "value_error"})  # fmt: skip
        if problems:
            error = {"code": "validation_error", "message": "The request is invalid.", "details": problems}
            return JSONResponse({"error": error}, status_code=422)
        assert isinstance(phone, str)
        assert isinstance(text, str)
        config = get_settings().twilio()
        url = config.webhook_url(INBOUND_PATH)
        body, headers = signed_form(url, config.auth_token, phone, text)
        parts = urlsplit(url)
        answer = await gateway.handle(
            HttpRequest(
                method="POST", path=INBOUND_PATH, raw_path=INBOUND_PATH, query_string="",
                headers=[("host", parts.netloc), *headers.items()], body=body,
                server_port=parts.port or 80, scheme=parts.scheme,
            )
        )  # fmt: skip
        if answer.status != 200:
            return JSONResponse(json.loads(answer.body or b"{}"), status_code=answer.status)
        return JSONResponse({"replies": replies_of(answer.body)})

    return [Route(SIMULATOR_PATH, relay, methods=["POST"])]


# -- make chat ------------------------------------------------------------------------------------------------


def _setting(name: str, default: str | None = None) -> str | None:
    return (
        os.environ.get(name)
        or dotenv_values(REPO_ROOT / ".env").get(name)
        or dotenv_values(REPO_ROOT / ".env.example").get(name)
        or default
    )


def main(argv: list[str]) -> int:
    import httpx

    phone = argv[1] if len(argv) > 1 and argv[1] else os.environ.get("PHONE", "")
    if not PHONE.match(phone):
        sys.stderr.write("usage: make chat PHONE=+254700000001 (an E.164 number; PORT= for another make dev port)\n")
        return 2
    token = _setting("TWILIO_AUTH_TOKEN")
    if not token:
        sys.stderr.write("no TWILIO_AUTH_TOKEN in the environment, .env or .env.example\n")
        return 2
    base = _setting("TWILIO_WEBHOOK_BASE_URL") or f"http://127.0.0.1:{_setting('PORT', '8000')}"
    url = base.rstrip("/") + INBOUND_PATH
    sys.stdout.write(f"Chatting as {phone} with {url}. Say HI to start; Ctrl-D to leave.\n")
    with httpx.Client(timeout=30) as client:
        while True:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                sys.stdout.write("\n")
                return 0
            if not line.strip():
                continue
            body, headers = signed_form(url, token, phone, line)
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                sys.stderr.write(f"cannot reach {url} ({type(exc).__name__}): is make dev running?\n")
                continue
            if response.status_code != 200:
                sys.stderr.write(f"{response.status_code}: {response.text}\n")
                continue
            replies = replies_of(response.content)
            for reply in replies or ["(no reply)"]:
                sys.stdout.write(
                    "\n".join(f"bot> {t}" if i == 0 else f"     {t}" for i, t in enumerate(reply.split("\n")))
                )
                sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
