"""The Twilio egress: Twilio REST calls that functions inside the VPC sign, forwarded from a function outside it.

The VPC has no NAT, so its functions have no IPv4 way out (README.md, "How functions reach what they need"). A
function that calls Twilio builds the whole request with twilio's Client, credentials included (it reads the Twilio
secret), and hands it to the ``twilio-egress`` job through twilio's ``http_client`` hook: ``EgressHttpClient``, a
synchronous Lambda invoke. The job (``forward``) holds no secret and no database: it refuses anything but https to
one of Twilio's hosts, sends the request as it is, and answers Twilio's status, headers and body. It never logs the
Authorization header nor the body (message text is personal data).

The event, as ``EgressHttpClient`` sends it::

    {"method": "POST", "url": "https://api.twilio.com/2010-04-01/Accounts/AC.../Messages.json",
     "params": {...} | null, "data": {...} | null, "headers": {"Authorization": "Basic ...", ...}, "timeout_s": 5,
     "caller": {"correlation_id", "session_key", "assessment_id", "actor"} (those known; optional)}

and the answer: ``{"statusCode": <Twilio's status>, "headers": {...}, "body": "<text>"}``, or, when nothing was
sent to Twilio, ``{"statusCode": 400 | 502, "error": {"code": "refused" | "unreachable", "message": ...}}``.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

from shared.errors import ConfigError, ServiceUnavailable
from shared.runtime.meter import Meter
from shared.runtime.ports import InvokeFailed, Invoker

logger = logging.getLogger(__name__)

EGRESS_JOB = "twilio-egress"
# The hosts of the Twilio products the platform's SDK calls may reach: Messages (api), Content templates (content)
# and Messaging Services (messaging). Another product means another host here, on purpose.
ALLOWED_HOSTS = frozenset({"api.twilio.com", "content.twilio.com", "messaging.twilio.com"})
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# What the egress's cost ledger row and logs take from the calling request (its conversation's cost includes it).
CALLER_FIELDS = ("correlation_id", "session_key", "assessment_id", "actor")
MAX_TIMEOUT_S = 8.0  # within the job's 10 s (functions/routes.py), whatever the caller asks
MAX_BODY_CHARS = 5 * 1024 * 1024  # a synchronous invoke answers 6 MB at most


class EgressRefused(ConfigError):
    """The egress refused a request description (not https, not a Twilio host, malformed): a bug of the caller."""


@dataclass(frozen=True)
class EgressRequest:
    method: str
    url: str
    params: dict[str, Any] | None
    data: dict[str, Any] | None
    headers: dict[str, str]
    timeout_s: float
    caller: dict[str, str]

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def _problem(event: Any) -> str | None:
    """What makes ``event`` something the egress must not send, or None."""
    if not isinstance(event, Mapping):
        return "the event is not an object"
    method, url = event.get("method"), event.get("url")
    if not isinstance(method, str) or method.upper() not in METHODS:
        return f"method: one of {', '.join(sorted(METHODS))}"
    if not isinstance(url, str):
        return "url: a string"
    # urlsplit drops tabs and line breaks before parsing; what is sent must be what was checked.
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in url):
        return "url: no spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "url: not a URL"
    if parts.scheme != "https":
        return "url: https only"
    if parts.username is not None or parts.password is not None or port not in (None, 443) or parts.fragment:
        return "url: no credentials, port or fragment in it"
    if (parts.hostname or "") not in ALLOWED_HOSTS:
        return f"url: the host must be one of {', '.join(sorted(ALLOWED_HOSTS))}"
    for name in ("params", "data"):
        value = event.get(name)
        if value is not None and not isinstance(value, Mapping):
            return f"{name}: an object or null"
    headers = event.get("headers")
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in (*headers, *headers.values())):
        return "headers: an object of strings"
    if any("\r" in v or "\n" in v for v in headers.values()):
        return "headers: no line breaks in values"
    caller = event.get("caller") or {}
    if not isinstance(caller, Mapping) or not all(k in CALLER_FIELDS and isinstance(v, str) for k, v in caller.items()):
        return f"caller: an object of strings among {', '.join(CALLER_FIELDS)}"
    timeout = event.get("timeout_s")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        return "timeout_s: a positive number"
    return None


def parse(event: Any) -> EgressRequest:
    """The request ``event`` describes. Raises EgressRefused naming the field at fault."""
    problem = _problem(event)
    if problem is not None:
        raise EgressRefused(f"Twilio egress refused the request: {problem}")
    return EgressRequest(
        method=str(event["method"]).upper(),
        url=str(event["url"]),
        params=dict(event["params"]) if event.get("params") is not None else None,
        data=dict(event["data"]) if event.get("data") is not None else None,
        headers=dict(event["headers"]),
        timeout_s=min(float(event["timeout_s"]), MAX_TIMEOUT_S),
        caller=dict(event.get("caller") or {}),
    )


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {"statusCode": status, "error": {"code": code, "message": message}}


def forward(transport: HttpClient, event: Any, meter: Meter | None = None) -> dict[str, Any]:
    """The egress job: send the request ``event`` describes through ``transport`` (twilio's HttpClient interface:
    HTTPS in AWS, a recording client locally) and answer what Twilio answered. Logs the method, host, path, status,
    duration and the caller's correlation id only; ``meter`` is told whose request this is."""
    try:
        request = parse(event)
    except EgressRefused as exc:
        logger.warning("%s", exc)
        return _error(400, "refused", str(exc))
    caller = request.caller
    if meter is not None:
        meter.attribute(
            actor=caller.get("actor"), assessment_id=caller.get("assessment_id"), session_key=caller.get("session_key")
        )
    for_request = caller.get("correlation_id", "-")
    started = time.perf_counter()
    try:
        # Never a redirect: it could lead off the allowed hosts.
        response = transport.request(
            request.method, request.url, params=request.params, data=request.data, headers=request.headers,
            auth=None, timeout=request.timeout_s, allow_redirects=False,
        )  # fmt: skip
    except Exception as exc:  # the network's failures, whatever the transport's library calls them
        logger.warning(
            "Twilio egress: %s %s%s unreachable (%s), for request %s", request.method, request.host, request.path,
            type(exc).__name__, for_request,
        )  # fmt: skip
        return _error(502, "unreachable", f"Twilio could not be reached ({type(exc).__name__})")
    body = response.text or ""
    if len(body) > MAX_BODY_CHARS:
        return _error(502, "unreachable", "Twilio's answer is larger than an invoke may carry")
    logger.info(
        "Twilio egress: %s %s%s -> %s in %.0f ms, for request %s", request.method, request.host, request.path,
        response.status_code, (time.perf_counter() - started) * 1000, for_request,
    )  # fmt: skip
    headers = {str(k): str(v) for k, v in dict(response.headers or {}).items()}
    return {"statusCode": int(response.status_code), "headers": headers, "body": body}


class EgressHttpClient(HttpClient):
    """twilio's ``http_client`` for functions inside the VPC: each request, its credentials turned into an
    Authorization header, goes to the egress job by a synchronous invoke; its answer is twilio's Response.

    Raises ServiceUnavailable when the job or Twilio cannot be reached (the message may not have been sent), and
    EgressRefused when the job refuses the request."""

    def __init__(self, invoker: Invoker, timeout: float, meter: Meter | None = None) -> None:
        super().__init__(logger, is_async=False, timeout=timeout)
        self._invoker = invoker
        self._meter = meter

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
        sent = dict(headers or {})
        if auth is not None:
            sent["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        event = {
            "method": method.upper(), "url": uri, "params": _plain(params), "data": _plain(data), "headers": sent,
            "timeout_s": timeout or self.timeout, "caller": self._caller(),
        }  # fmt: skip
        try:
            answer = self._invoker.invoke(EGRESS_JOB, event)
        except InvokeFailed as exc:
            logger.warning("the Twilio egress could not be invoked: %s", exc)
            raise ServiceUnavailable("Twilio could not be reached; try again shortly.") from exc
        error = answer.get("error")
        if isinstance(error, Mapping):
            if error.get("code") == "refused":
                raise EgressRefused(str(error.get("message")))
            raise ServiceUnavailable("Twilio could not be reached; try again shortly.")
        return Response(int(answer["statusCode"]), str(answer.get("body", "")), answer.get("headers") or {})

    def _caller(self) -> dict[str, str]:
        from shared.observability import logger as powertools

        usage = self._meter.current if self._meter is not None else None
        known = {
            "correlation_id": powertools.get_correlation_id(),
            "session_key": usage.session_key if usage else None,
            "assessment_id": usage.assessment_id if usage else None,
            "actor": usage.actor if usage else None,
        }
        return {k: str(v) for k, v in known.items() if v}


def _plain(values: Mapping[str, object] | None) -> dict[str, Any] | None:
    """Form, query or JSON values as an invoke's JSON payload carries them (anything else as its text)."""
    if values is None:
        return None
    plain: dict[str, Any] = json.loads(json.dumps(dict(values), default=str))
    return plain


def authorized_as(headers: Mapping[str, str]) -> str | None:
    """The user name of a Basic Authorization header (Twilio's account or API key SID), never the password."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not value.startswith("Basic "):
        return None
    try:
        return base64.b64decode(value[6:]).decode().partition(":")[0] or None
    except ValueError:
        return None
