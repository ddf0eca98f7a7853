"""The Twilio egress: what it refuses, what it forwards and answers, what it never logs, how it is metered, and the
caller's side (twilio's http_client hook turning each request into a synchronous invoke). No socket: Twilio is the
recording client at the egress's last hop, the invoke runs the real handler in-process."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from functions import twilio_egress
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.errors import ServiceUnavailable
from shared.runtime import Runtime, runtime_with
from shared.runtime.ports import InvokeFailed
from shared.runtime.twilio import RecordedRequest, RecordingHttpClient, TwilioMessenger
from shared.runtime.twilio_egress import ALLOWED_HOSTS, EGRESS_JOB, EgressHttpClient, EgressRefused, forward
from tests.fakes import RecordingInvoker, RecordingLedger

ACCOUNT = "AC" + "1" * 32
TOKEN = "the-auth-token-never-logged-0123456789"
PRIVATE_TEXT = "Awa, your results: numeracy 80%"  # message text is personal data
MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
SPEC = FunctionSpec("TwilioEgressJob", "functions.twilio_egress", memory_mb=256, timeout_s=10)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def described(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "method": "POST", "url": MESSAGES, "params": None,
        "data": {"To": "whatsapp:+254700000001", "From": "whatsapp:+14155238886", "Body": PRIVATE_TEXT},
        "headers": {"Authorization": basic(ACCOUNT, TOKEN), "Content-Type": "application/x-www-form-urlencoded"},
        "timeout_s": 5,
    }  # fmt: skip
    event.update(changes)
    return event


class HandlerInvoker:
    """Lambda's synchronous invoke of the egress job, in-process: the JSON payload in, the handler's JSON answer out."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def invoke(self, job: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert job == EGRESS_JOB
        self.payloads.append(json.loads(json.dumps(payload)))
        # Another execution environment: a thread of its own (the meter counts per thread).
        with ThreadPoolExecutor(1) as environment:
            answer = environment.submit(twilio_egress.handler, self.payloads[-1], LambdaContext(SPEC)).result()
        return dict(json.loads(json.dumps(answer)))

    def invoke_async(self, job: str, payload: dict[str, Any]) -> None:
        raise AssertionError("the egress is invoked synchronously")


@pytest.fixture
def twilio() -> Iterator[RecordingHttpClient]:
    recording = RecordingHttpClient()
    with runtime_with(twilio_api=recording):
        yield recording


# -- what it refuses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": MESSAGES.replace("https://", "http://")}, "https only"),
        ({"url": "https://evil.example/2010-04-01/Accounts/AC1/Messages.json"}, "host"),
        ({"url": "https://api.twilio.com.evil.example/Messages.json"}, "host"),
        ({"url": "https://twilio.com/Messages.json"}, "host"),
        ({"url": "https://api.twilio.com./Messages.json"}, "host"),
        ({"url": "https://user:pw@api.twilio.com/Messages.json"}, "credentials"),
        ({"url": "https://api.twilio.com:8443/Messages.json"}, "port"),
        ({"url": "https://api.twilio.com:99999/Messages.json"}, "not a URL"),
        ({"url": None}, "url"),
        ({"url": "https://evil.example\t/?x=https://api.twilio.com/"}, "spaces"),
        ({"url": "https://api.twil\nio.com/Messages.json"}, "control characters"),
        ({"url": "https://api.twilio.com\\@evil.example/"}, "backslashes"),
        ({"method": "CONNECT"}, "method"),
        ({"headers": {"X-Evil": "a\r\nHost: evil.example"}}, "line breaks"),
        ({"headers": ["Authorization"]}, "headers"),
        ({"data": "To=whatsapp:+1"}, "data"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": True}, "timeout_s"),
    ],
)
def test_anything_but_https_to_an_allowed_twilio_host_is_refused_and_nothing_is_sent(
    twilio: RecordingHttpClient, changes: dict[str, Any], field: str
) -> None:
    answer = forward(twilio, described(**changes))
    assert answer["statusCode"] == 400
    assert answer["error"]["code"] == "refused"
    assert field in answer["error"]["message"]
    assert twilio.requests == []


def test_an_event_that_is_not_an_object_is_refused(twilio: RecordingHttpClient) -> None:
    assert forward(twilio, ["POST", MESSAGES])["error"]["code"] == "refused"
    assert twilio.requests == []


def test_the_allowed_hosts_are_hosts_the_twilio_sdk_calls() -> None:
    import twilio as sdk

    # Each product's base URL, e.g. twilio/rest/api/ApiBase.py: self.base_url = "https://api.twilio.com"
    sources = "".join(p.read_text() for p in Path(sdk.__file__).parent.glob("rest/*/*Base.py"))
    known = set(re.findall(r"https://([a-z0-9.-]+\.twilio\.com)", sources))
    assert "api.twilio.com" in ALLOWED_HOSTS
    assert known >= ALLOWED_HOSTS


# -- what it forwards and answers ---------------------------------------------------------------------------------


def test_a_signed_request_is_forwarded_as_is_and_twilio_s_answer_returned(
    twilio: RecordingHttpClient, unit_runtime: Runtime
) -> None:
    answer = forward(twilio, described())
    assert answer["statusCode"] == 201
    created = json.loads(answer["body"])
    assert created["sid"].startswith("SM")
    assert created["status"] == "queued"
    (sent,) = twilio.sent()
    assert (sent.method, sent.url, sent.data["Body"]) == ("POST", MESSAGES, PRIVATE_TEXT)
    assert sent.authorized_as == ACCOUNT  # the caller's credentials, passed through


def test_twilio_s_refusal_is_returned_not_hidden(twilio: RecordingHttpClient) -> None:
    twilio.refuse_next(21610, "Attempt to send to unsubscribed recipient")
    answer = forward(twilio, described())
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["code"] == 21610
    assert "error" not in answer


class Unreachable(RecordingHttpClient):
    def request(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError(f"cannot connect while sending {kwargs.get('data')}")


def test_twilio_unreachable_is_a_502_that_names_no_content(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = forward(Unreachable(), described())
    assert answer == {
        "statusCode": 502, "error": {"code": "unreachable", "message": "Twilio could not be reached (ConnectionError)"}
    }  # fmt: skip
    assert PRIVATE_TEXT not in caplog.text


class Answering(RecordingHttpClient):
    """Twilio answering 201 and logging nothing (the local stand-in logs the recipient, for developers)."""

    def request(self, method: str, uri: str, *args: Any, **kwargs: Any) -> Any:
        from twilio.http.response import Response

        self.requests.append(RecordedRequest(method, uri, dict(kwargs.get("data") or {})))
        return Response(201, json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}), {"Twilio-Request-Id": "RQ1"})


def test_the_handler_never_logs_the_authorization_header_nor_the_body_and_is_metered(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = RecordingLedger()
    twilio = Answering()
    caplog.set_level(logging.DEBUG)
    with runtime_with(ledger=ledger, twilio_api=twilio):
        answer = twilio_egress.handler(described(), LambdaContext(SPEC))
        refused = twilio_egress.handler(described(url="http://api.twilio.com/x"), LambdaContext(SPEC))
    assert (answer["statusCode"], refused["statusCode"]) == (201, 400)
    assert answer["headers"] == {"Twilio-Request-Id": "RQ1"}
    assert len(twilio.requests) == 1
    logged = caplog.text + capsys.readouterr().out
    assert "api.twilio.com/2010-04-01/Accounts" in logged  # it does log what it forwarded: method, host, path
    for secret in (TOKEN, basic(ACCOUNT, TOKEN).removeprefix("Basic "), PRIVATE_TEXT, "254700000001"):
        assert secret not in logged
    # One cost ledger row per invocation, as every function: a system request, with Twilio's status.
    rows = [(i.entry, i.kind, i.status, i.usage.channel) for i in ledger.invocations]
    assert rows == [("job twilio-egress", "job", 201, "system"), ("job twilio-egress", "job", 400, "system")]


# -- the caller's side -------------------------------------------------------------------------------------------


def _messenger(unit_runtime: Runtime, invoker: Any) -> TwilioMessenger:
    config = unit_runtime.twilio
    return TwilioMessenger(config, unit_runtime.meter, http_client=EgressHttpClient(invoker, 5))


def test_a_message_goes_through_the_egress_signed_by_the_caller(
    twilio: RecordingHttpClient, unit_runtime: Runtime
) -> None:
    invoker = HandlerInvoker()
    sent = _messenger(unit_runtime, invoker).send("+254700000001", body=PRIVATE_TEXT)
    assert sent.sid.startswith("SM")
    (payload,) = invoker.payloads
    account = unit_runtime.twilio.account_sid
    assert account is not None
    assert payload["headers"]["Authorization"] == basic(account, unit_runtime.twilio.auth_token)
    assert payload["url"] == f"https://api.twilio.com/2010-04-01/Accounts/{account}/Messages.json"
    assert payload["data"]["Body"] == PRIVATE_TEXT
    assert payload["timeout_s"] == 5
    assert [r.authorized_as for r in twilio.sent()] == [account]


def test_the_egress_row_is_counted_with_the_calling_request_s_conversation(
    twilio: RecordingHttpClient, unit_runtime: Runtime
) -> None:
    from shared.runtime.meter import Component, Usage

    ledger = RecordingLedger()
    messenger = TwilioMessenger(
        unit_runtime.twilio, unit_runtime.meter, http_client=EgressHttpClient(HandlerInvoker(), 5, unit_runtime.meter)
    )
    with runtime_with(ledger=ledger), unit_runtime.meter.measure(Usage(channel="web")):
        unit_runtime.meter.attribute(session_key="whatsapp:c1", actor="user:u1")
        messenger.send("+254700000001", body="hi")
        caller = unit_runtime.meter.current
    (egress,) = ledger.invocations
    assert (egress.usage.session_key, egress.usage.actor, egress.usage.channel) == ("whatsapp:c1", "user:u1", "system")
    assert caller is not None
    assert caller.counts[Component.TWILIO_MESSAGE] == 1  # the caller counts the message it sent


def test_caller_fields_other_than_the_known_ones_are_refused(twilio: RecordingHttpClient) -> None:
    assert forward(twilio, described(caller={"session_key": 1}))["error"]["code"] == "refused"
    assert forward(twilio, described(caller={"password": "x"}))["error"]["code"] == "refused"
    assert twilio.requests == []


def test_an_egress_that_cannot_be_invoked_or_reach_twilio_is_503(unit_runtime: Runtime) -> None:
    with pytest.raises(ServiceUnavailable):
        _messenger(unit_runtime, RecordingInvoker()).send("+254700000001", body="hi")
    with runtime_with(twilio_api=Unreachable()), pytest.raises(ServiceUnavailable):
        _messenger(unit_runtime, HandlerInvoker()).send("+254700000001", body="hi")


def test_a_request_the_egress_refuses_is_a_configuration_error_not_a_send(unit_runtime: Runtime) -> None:
    client = EgressHttpClient(HandlerInvoker(), 5)
    with runtime_with(twilio_api=RecordingHttpClient()) as rt, pytest.raises(EgressRefused, match="host"):
        client.request("POST", "https://evil.example/Messages.json", data={"Body": "hi"}, auth=("AC1", "t"))
    assert isinstance(rt.twilio_https, RecordingHttpClient)
    assert rt.twilio_https.requests == []


# -- the synchronous invoke in AWS ---------------------------------------------------------------------------------


@pytest.fixture
def stubbed_lambda(unit_runtime: Runtime) -> Iterator[tuple[Any, Any]]:
    from botocore.stub import Stubber

    from shared.runtime.aws import LambdaInvoker

    invoker = LambdaInvoker({EGRESS_JOB: "arn:aws:lambda:us-east-1:123456789012:function:egress"}, "us-east-1",
                            unit_runtime.meter)  # fmt: skip
    with Stubber(invoker._lambda_sync) as stubber:
        yield invoker, stubber


def _payload(value: Any) -> Any:
    from botocore.response import StreamingBody

    raw = json.dumps(value).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def test_the_aws_invoker_answers_the_job_s_json_and_never_retries(stubbed_lambda: tuple[Any, Any]) -> None:
    invoker, stubber = stubbed_lambda
    arn = "arn:aws:lambda:us-east-1:123456789012:function:egress"
    expected = {"FunctionName": arn, "InvocationType": "RequestResponse", "Payload": json.dumps({"a": 1}).encode()}
    stubber.add_response("invoke", {"StatusCode": 200, "Payload": _payload({"statusCode": 201})}, expected)
    assert invoker.invoke(EGRESS_JOB, {"a": 1}) == {"statusCode": 201}
    stubber.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _payload({})})
    with pytest.raises(InvokeFailed, match="Unhandled"):
        invoker.invoke(EGRESS_JOB, {"a": 1})
    stubber.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
    with pytest.raises(InvokeFailed, match="not invoked"):
        invoker.invoke(EGRESS_JOB, {"a": 1})
    retries = invoker._lambda_sync.meta.config.retries
    assert retries["total_max_attempts"] == 1
    assert invoker._lambda_sync.meta.config.read_timeout > SPEC.timeout_s
