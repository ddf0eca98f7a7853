"""The Twilio adapter of the Messenger port: twilio's own REST Client, through its ``http_client`` hook.

The hook is the Twilio egress (shared/runtime/twilio_egress.py): each signed request goes to the ``twilio-egress``
job, outside the VPC, which sends it on through its own last hop to Twilio: ``TwilioHttps`` in AWS; locally and in
tests ``RecordingHttpClient``, which answers as Twilio's API does and keeps every request, so the same code runs
end to end and nothing ever reaches the network.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

from shared.config import TwilioConfig
from shared.errors import ConfigError, MessageRefused, ServiceUnavailable
from shared.runtime.meter import Component, Meter
from shared.runtime.ports import SentMessage

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0  # a function answers well before API Gateway's 29 s and Twilio's 15 s webhook timeout


def whatsapp_address(phone: str) -> str:
    return phone if phone.startswith("whatsapp:") else f"whatsapp:{phone}"


class TwilioMessenger:
    """Sends WhatsApp messages with twilio's Client; counts each one for the cost ledger."""

    def __init__(self, config: TwilioConfig, meter: Meter, http_client: HttpClient) -> None:
        self._config = config
        self._meter = meter
        self._http_client = http_client

    @cached_property
    def _client(self) -> Any:
        from twilio.rest import Client

        if not self._config.account_sid:
            raise ConfigError("TWILIO_ACCOUNT_SID (or the secret's account_sid) is not set")
        return Client(self._config.account_sid, self._config.auth_token, http_client=self._http_client)

    def send(
        self,
        to: str,
        *,
        body: str | None = None,
        content_sid: str | None = None,
        variables: Mapping[str, str] | None = None,
        status_callback: str | None = None,
    ) -> SentMessage:
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        if (body is None) == (content_sid is None):
            raise ValueError("send either a body or a content template")
        if not self._config.whatsapp_from:
            raise ConfigError("TWILIO_WHATSAPP_FROM (or the secret's whatsapp_from) is not set")
        params: dict[str, Any] = {"to": whatsapp_address(to), "from_": whatsapp_address(self._config.whatsapp_from)}
        if body is not None:
            params["body"] = body
        else:
            params["content_sid"] = content_sid
            params["content_variables"] = json.dumps(dict(variables or {}), separators=(",", ":"))
        if status_callback:
            params["status_callback"] = status_callback
        try:
            message = self._client.messages.create(**params)
        except TwilioRestException as exc:
            if exc.status >= 500:
                raise ServiceUnavailable("Twilio is unavailable; try again shortly.") from exc
            raise MessageRefused(details={"twilio_code": exc.code, "status": exc.status}) from exc
        except RequestException as exc:
            raise ServiceUnavailable("Twilio could not be reached; try again shortly.") from exc
        self._meter.count(Component.TWILIO_MESSAGE)
        return SentMessage(str(message.sid), str(message.status))


# -- the last hop to Twilio's API, from the egress job ---------------------------------------------------------


class TwilioHttps(HttpClient):
    """twilio's HttpClient interface over one kept-alive HTTPS session, for the egress job: no redirects, bounded
    waits, one retry of a failed connection (never of a request that reached Twilio), and nothing logged (twilio's
    own client logs query strings and headers)."""

    def __init__(self, timeout: float = TIMEOUT_S) -> None:
        super().__init__(logger, is_async=False, timeout=timeout)

    @cached_property
    def _session(self) -> Any:
        from requests import Session
        from requests.adapters import HTTPAdapter

        session = Session()
        session.trust_env = False  # no proxy or .netrc from the environment: straight to Twilio
        session.mount("https://", HTTPAdapter(max_retries=1))
        return session

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        as_json = (headers or {}).get("Content-Type") in ("application/json", "application/scim+json")
        response = self._session.request(
            method, uri, params=params, headers=headers, auth=auth, timeout=timeout or self.timeout,
            allow_redirects=allow_redirects, **({"json": data} if as_json else {"data": data}),
        )  # fmt: skip
        return Response(int(response.status_code), response.text, dict(response.headers))


# -- the local stand-in for Twilio's API ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    data: dict[str, str]
    # Whom the request was signed for: the user name of its Basic Authorization (the account SID), never the token.
    authorized_as: str | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass
class _Refusal:
    status: int
    code: int
    message: str


class RecordingHttpClient(HttpClient):
    """twilio's ``http_client`` that never touches the network: it keeps each request (without credentials) and
    answers a message create as Twilio's API does (201, a new ``SM`` sid, status ``queued``)."""

    def __init__(self) -> None:
        super().__init__(logger, is_async=False, timeout=TIMEOUT_S)
        self.requests: list[RecordedRequest] = []
        self._refusals: list[_Refusal] = []
        self._lock = threading.Lock()

    def refuse_next(self, code: int, message: str = "refused", status: int = 400) -> None:
        """Make the next request fail as Twilio would, e.g. 21610 (the recipient opted out)."""
        with self._lock:
            self._refusals.append(_Refusal(status, code, message))

    def sent(self) -> list[RecordedRequest]:
        """The message creates, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        from shared.runtime.twilio_egress import authorized_as

        signed_for = auth[0] if auth is not None else authorized_as(headers or {})
        recorded = RecordedRequest(method.upper(), uri, {k: str(v) for k, v in (data or {}).items()}, signed_for)
        with self._lock:
            self.requests.append(recorded)
            refusal = self._refusals.pop(0) if self._refusals else None
        if refusal is not None:
            body = {"code": refusal.code, "message": refusal.message, "status": refusal.status}
            return Response(refusal.status, json.dumps(body))
        if recorded.method != "POST" or not recorded.path.endswith("/Messages.json"):
            return Response(404, json.dumps({"code": 20404, "message": "not recorded here", "status": 404}))
        sid = "SM" + uuid.uuid4().hex
        now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        account = recorded.path.split("/Accounts/")[1].split("/")[0]
        logger.info(
            "Twilio message recorded, not sent: %s to %s (%s)",
            sid,
            recorded.data.get("To"),
            "template " + recorded.data["ContentSid"] if "ContentSid" in recorded.data else "free-form",
        )
        answer = {
            "sid": sid, "account_sid": account, "to": recorded.data.get("To"), "from": recorded.data.get("From"),
            "body": recorded.data.get("Body", ""), "status": "queued", "direction": "outbound-api",
            "num_segments": "1", "num_media": "0", "price": None, "price_unit": "USD", "error_code": None,
            "error_message": None, "date_created": now, "date_updated": now, "date_sent": None,
            "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }  # fmt: skip
        return Response(201, json.dumps(answer))
