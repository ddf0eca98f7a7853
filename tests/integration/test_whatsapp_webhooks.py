"""The WhatsApp webhooks' edges, through the local gateway: who is trusted, what is refused, delivery statuses and
their prices, invitations through the Twilio adapter and the Twilio egress job (its last hop a recording HTTP
client, never the network), the idle job and the cost ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.wire import RoundTripCounter
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database
from shared.request_context import RequestContext
from shared.runtime import Runtime, current_runtime, runtime_with
from shared.runtime.twilio import RecordingHttpClient, TwilioMessenger
from shared.whatsapp import service
from shared.whatsapp.models import InboundMessage
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.whatsapp_helpers import (
    LOCAL_URL,
    MESSAGE_PATH,
    STATUS_PATH,
    WhatsAppUser,
    message_form,
    new_sid,
    post_signed,
    replies,
    status_actions,
)

PHONE = "+254700000011"


@pytest.fixture
def twilio_api(api: httpx.AsyncClient) -> Iterator[RecordingHttpClient]:
    """Twilio's REST API as the egress job's last hop sees it: recorded, never reached. Requests get there as in
    AWS: signed by the calling function, forwarded by the twilio-egress job it invokes synchronously."""
    recording = RecordingHttpClient()
    with runtime_with(twilio_api=recording):
        yield recording


def ledger(db: Database, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of the cost ledger, once what was recorded so far is stored (it is written off the request's path)."""
    current_runtime().ledger.flush()
    return rows(db, sql, *params)


@pytest.fixture
async def admin(api: httpx.AsyncClient, db: Database) -> str:
    add_test_sectors(db)
    token = str((await login_tokens(api, await signup_first(api)))["access_token"])
    await publish_small(api, token)
    return token


def rows(db: Database, sql: str, *params: Any) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(sql, params).fetchall()


def count(db: Database, table: str) -> int:
    return int(rows(db, f"SELECT count(*) AS n FROM {table}")[0]["n"])


# -- trust -------------------------------------------------------------------------------------------------------


async def test_without_a_token_every_request_is_refused(api: httpx.AsyncClient, db: Database, runtime: Runtime) -> None:
    unconfigured = runtime.settings.model_copy(update={"twilio_auth_token": None, "twilio_secret_arn": None})
    with runtime_with(settings=unconfigured):
        response = await WhatsAppUser(api, PHONE).post("hi")
    assert response.status_code == 403
    assert count(db, "whatsapp_messages") == 0


async def test_the_signature_is_checked_against_the_configured_url_not_the_requests_host(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    form = message_form(PHONE, "hi", new_sid())
    # Signed for the host the request claims: refused, the URL is the configured one.
    spoofed = await api.post(
        MESSAGE_PATH, content=httpx.QueryParams(form).__str__(),
        headers={"host": "evil.example", "x-forwarded-host": "evil.example",
                 "content-type": "application/x-www-form-urlencoded",
                 "x-twilio-signature": _signature("http://evil.example" + MESSAGE_PATH, form)},
    )  # fmt: skip
    assert spoofed.status_code == 403
    honest = await api.post(
        MESSAGE_PATH, content=str(httpx.QueryParams(form)),
        headers={"host": "evil.example", "content-type": "application/x-www-form-urlencoded",
                 "x-twilio-signature": _signature(LOCAL_URL + MESSAGE_PATH, form)},
    )  # fmt: skip
    assert honest.status_code == 200, honest.text
    assert count(db, "whatsapp_messages") == 1


async def test_in_aws_the_twilio_secret_gives_the_token_the_public_url_and_the_sender(
    api: httpx.AsyncClient, db: Database, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", runtime.settings.aws_region)
    secret = {"account_sid": "AC" + "2" * 32, "auth_token": "the-deployed-token-0123456789abcdef",
              "webhook_base_url": "https://api.example.org/", "whatsapp_from": "+14155238886"}  # fmt: skip
    with mock_aws():
        client = boto3.client("secretsmanager", region_name=runtime.settings.aws_region)
        arn = client.create_secret(Name="twilio", SecretString=json.dumps(secret))["ARN"]
        deployed = runtime.settings.model_copy(update={
            "app_env": "aws", "twilio_secret_arn": arn, "twilio_auth_token": None, "twilio_account_sid": None,
            "twilio_whatsapp_from": None, "twilio_webhook_base_url": None, "twilio_outbound": None,
        })  # fmt: skip
        with runtime_with(settings=deployed) as rt:
            config = rt.twilio
            user = WhatsAppUser(api, PHONE)
            form = message_form(PHONE, "hi", new_sid())
            public = await post_signed(api, "https://api.example.org" + MESSAGE_PATH, form, token=secret["auth_token"])
            local = await user.post("hi")  # signed over the local URL with the development token
    assert (config.webhook_url(STATUS_PATH), config.whatsapp_from, config.outbound) == (
        "https://api.example.org" + STATUS_PATH, "+14155238886", "twilio",
    )  # fmt: skip
    assert public.status_code == 200, public.text
    actions = status_actions(public)  # where Twilio reports the replies' delivery: the public URL too
    assert actions
    assert all(a.startswith("https://api.example.org" + STATUS_PATH) for a in actions), actions
    assert local.status_code == 403
    recording = RecordingHttpClient()  # what the adapter sends, with the secret's sender
    TwilioMessenger(config, runtime.meter, http_client=recording).send(PHONE, body="hello")
    (sent,) = recording.sent()
    assert (sent.data["From"], sent.data["To"]) == ("whatsapp:+14155238886", f"whatsapp:{PHONE}")
    assert "/Accounts/" + secret["account_sid"] + "/" in sent.url


def _signature(url: str, form: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    from tests.integration.whatsapp_helpers import TOKEN

    return str(RequestValidator(TOKEN).compute_signature(url, form))


async def test_blank_form_values_are_part_of_what_is_signed(api: httpx.AsyncClient, db: Database, admin: str) -> None:
    form = message_form(PHONE, "hi", new_sid(), ToState="", ToZip="")
    without_blanks = {k: v for k, v in form.items() if v}
    url = LOCAL_URL + MESSAGE_PATH
    refused = await post_signed(api, url, form, signature=_signature(url, without_blanks))
    assert refused.status_code == 403
    accepted = await post_signed(api, LOCAL_URL + MESSAGE_PATH, form)
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["content-type"].startswith("text/xml")


async def test_a_signed_form_with_an_oversized_field_is_refused_with_its_path(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    response = await WhatsAppUser(api, PHONE).post("x" * 5000)
    assert response.status_code == 422
    assert "body" in {d["path"].split(".")[0] for d in response.json()["error"]["details"]}
    assert count(db, "whatsapp_messages") == 0
    bad_sender = await post_signed(api, LOCAL_URL + MESSAGE_PATH, {**message_form(PHONE, "hi", new_sid()),
                                                                    "From": "whatsapp:12"})  # fmt: skip
    assert bad_sender.status_code == 422
    assert [d["path"] for d in bad_sender.json()["error"]["details"]] == ["body.From"]


async def test_a_message_with_media_gets_a_text_only_reply(api: httpx.AsyncClient, db: Database, admin: str) -> None:
    user = WhatsAppUser(api, PHONE)
    await user.send("hi")
    response = await user.post(
        "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/1", MediaContentType0="image/jpeg"
    )
    assert replies(response) == ["Sorry, we can only read text messages here. Please reply with text."]
    assert await user.send("yes") == "What is your name?"


# -- delivery status and the cost ledger ---------------------------------------------------------------------


async def test_every_message_in_and_out_is_on_the_cost_ledger_of_its_conversation(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    user = WhatsAppUser(api, PHONE)
    await user.send("hi")
    await user.send("yes")
    (conversation,) = rows(db, "SELECT id FROM whatsapp_conversations")
    stored = ledger(
        db, "SELECT channel, session_key, actor, usage, db_statements FROM cost_requests WHERE entry = %s",
        f"POST {MESSAGE_PATH}",
    )  # fmt: skip
    assert len(stored) == 2
    for row in stored:
        assert (row["channel"], row["session_key"]) == ("whatsapp", f"whatsapp:{conversation['id']}")
        assert row["usage"]["twilio.whatsapp.message"] == "2"  # one in, one reply out
        assert PHONE not in row["actor"]
        assert row["db_statements"] > 0


async def test_a_status_only_moves_forward_and_the_real_price_reaches_the_request_that_sent_it(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    user = WhatsAppUser(api, PHONE)
    await user.send("hi")
    assert user.last is not None
    (action,) = status_actions(user.last)
    request_id = action.split("?request=")[1]
    assert action == f"{LOCAL_URL}{STATUS_PATH}?request={request_id}"
    reply_sid = new_sid()

    async def status(value: str, **extra: str) -> httpx.Response:
        form = {"MessageSid": reply_sid, "MessageStatus": value, "SmsStatus": value, "To": f"whatsapp:{PHONE}",
                "From": "whatsapp:+14155238886", "AccountSid": "AC" + "1" * 32, "ErrorCode": "", **extra}  # fmt: skip
        return await post_signed(api, action, form)

    assert (await status("sent")).status_code == 204
    assert (await status("delivered", Price="-0.00500", PriceUnit="USD")).status_code == 204
    assert (await status("sent")).status_code == 204  # late: ignored
    assert (await status("delivered", Price="-0.00500", PriceUnit="USD")).status_code == 204  # again: counted once
    (message,) = rows(
        db, "SELECT status, price_usd, request_id, direction FROM whatsapp_messages WHERE sid = %s", reply_sid
    )
    assert (message["status"], message["price_usd"], message["direction"]) == ("delivered", Decimal("0.005"), "out")
    (row,) = ledger(db, "SELECT twilio_actual_usd FROM cost_requests WHERE request_id = %s", request_id)
    assert row["twilio_actual_usd"] == Decimal("0.005")
    tampered = await post_signed(api, action.replace(request_id, "someone-else"), {"MessageSid": reply_sid},
                                 signature=_signature(action, {"MessageSid": reply_sid}))  # fmt: skip
    assert tampered.status_code == 403


# -- invitations, 21610 and 63016 ----------------------------------------------------------------------------


async def _respondent(api: httpx.AsyncClient, token: str, phone: str = PHONE) -> str:
    """A respondent entered on the web by the holder of ``token``."""
    version = (await api.get("/api/v1/questions", headers=bearer(token))).json()
    answers = {q["code"]: q for q in version["questions"]}
    body = {
        "questionnaire_version_id": version["questionnaire"]["version_id"],
        "respondent": {"phone": phone, "name": "Awa", "sector": "ict"},
        "answers": [{"question_id": answers["has_phone"]["id"], "value": "no"},
                    {"question_id": answers["confidence"]["id"], "value": 3},
                    {"question_id": answers["sums"]["id"], "value": 5}],
    }  # fmt: skip
    response = await api.post(
        "/api/v1/assessments/submit", json=body, headers={**bearer(token), "Idempotency-Key": phone}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["respondent_id"])


async def test_an_invitation_outside_the_window_is_a_content_template_and_starts_the_conversation(
    api: httpx.AsyncClient, db: Database, admin: str, twilio_api: RecordingHttpClient
) -> None:
    respondent = await _respondent(api, admin)
    invited = await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))
    assert invited.status_code == 202, invited.text
    body = invited.json()
    assert (body["kind"], body["template"], body["status"]) == ("invitation", True, "queued")
    (sent,) = twilio_api.sent()
    assert sent.data["To"] == f"whatsapp:{PHONE}"
    assert sent.url.startswith("https://api.twilio.com/2010-04-01/Accounts/")
    assert sent.authorized_as == current_runtime().twilio.account_sid  # signed by the caller, forwarded as is
    assert sent.data["ContentSid"] == "HX00000000000000000000000000000001"
    assert json.loads(sent.data["ContentVariables"]) == {"1": "Awa"}
    assert sent.data["StatusCallback"] == LOCAL_URL + STATUS_PATH
    assert "Body" not in sent.data

    user = WhatsAppUser(api, PHONE)
    assert (await user.send("YES")).startswith("Welcome, Awa!\n\nQ1/5 Do you have a phone?")
    (row,) = ledger(db, "SELECT session_key, usage FROM cost_requests WHERE entry LIKE %s", "%/invite")
    assert row["session_key"] == f"whatsapp:{body['conversation_id']}"
    assert row["usage"]["twilio.whatsapp.message"] == "1"
    # The egress job is metered like every function: its own row, a system request with Twilio's status, counted
    # in the conversation's cost.
    (egress,) = ledger(db, "SELECT function_name, status, channel, session_key FROM cost_requests WHERE entry = %s",
                       "job twilio-egress")  # fmt: skip
    assert (egress["function_name"], egress["status"], egress["channel"]) == ("TwilioEgressJob", 201, "system")
    assert egress["session_key"] == row["session_key"]

    # Inside the 24-hour window now: a free-form reminder of where they are.
    reminded = await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))
    assert (reminded.json()["kind"], reminded.json()["template"]) == ("reminder", False)
    assert "Q1/5" in twilio_api.sent()[-1].data["Body"]

    # Completed on WhatsApp, the assessment is the invited respondent's.
    for message in ("2", "3", "5"):
        await user.send(message)
    assert (await user.send("SKIP")).startswith("Thank you, Awa! Your results:")
    listed = (await api.get(f"/api/v1/assessments?respondent_id={respondent}", headers=bearer(admin))).json()
    assert {a["channel"] for a in listed["items"]} == {"web", "whatsapp"}
    assert {a["respondent_id"] for a in listed["items"]} == {respondent}


async def test_enumerators_invite_only_their_own_respondents(
    api: httpx.AsyncClient, db: Database, admin: str, twilio_api: RecordingHttpClient
) -> None:
    enumerator = await invite_and_signup(api, admin, "enum@example.org", "enumerator")
    enumerator_token = str((await login_tokens(api, enumerator))["access_token"])
    others = await _respondent(api, admin, "+254700000012")
    own = await _respondent(api, enumerator_token, "+254700000013")
    assert (await api.post(f"/api/v1/respondents/{others}/invite", headers=bearer(enumerator_token))).status_code == 404
    assert (await api.post(f"/api/v1/respondents/{own}/invite", headers=bearer(enumerator_token))).status_code == 202
    assert [r.data["To"] for r in twilio_api.sent()] == ["whatsapp:+254700000013"]


async def test_21610_opts_the_respondent_out_and_nothing_more_is_sent(
    api: httpx.AsyncClient, db: Database, admin: str, twilio_api: RecordingHttpClient
) -> None:
    respondent = await _respondent(api, admin)
    sid = (await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))).json()["message_sid"]
    callback = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "21610", "To": f"whatsapp:{PHONE}"}
    assert (await post_signed(api, LOCAL_URL + STATUS_PATH, callback)).status_code == 204
    again = await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))
    assert again.status_code == 409
    assert len(twilio_api.sent()) == 1
    assert replies(await WhatsAppUser(api, PHONE).post("hello")) == []
    consent = rows(db, "SELECT event, source FROM consent_ledger")
    assert consent == [{"event": "opted_out", "source": "twilio"}]


async def test_63016_sends_a_refused_invitation_again_as_a_template(
    api: httpx.AsyncClient, db: Database, admin: str, twilio_api: RecordingHttpClient
) -> None:
    respondent = await _respondent(api, admin)
    await WhatsAppUser(api, PHONE).send("hi")  # the window is open: the invitation goes free-form
    invited = (await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))).json()
    assert invited["template"] is False
    callback = {"MessageSid": invited["message_sid"], "MessageStatus": "undelivered", "ErrorCode": "63016"}
    for _ in range(2):  # delivered twice: acted on once
        assert (await post_signed(api, LOCAL_URL + STATUS_PATH, callback)).status_code == 204
    first, retried = twilio_api.sent()
    assert "Body" in first.data
    assert retried.data["ContentSid"] == "HX00000000000000000000000000000001"
    later = (await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))).json()
    assert later["template"] is True  # templates until the respondent writes again


async def test_twilio_refusing_a_message_is_409_with_its_code(
    api: httpx.AsyncClient, db: Database, admin: str, twilio_api: RecordingHttpClient
) -> None:
    respondent = await _respondent(api, admin)
    twilio_api.refuse_next(21211, "The 'To' number is not a valid phone number.")
    refused = await api.post(f"/api/v1/respondents/{respondent}/invite", headers=bearer(admin))
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["twilio_code"] == 21211


# -- idle conversations and round trips ----------------------------------------------------------------------


async def test_idle_conversations_are_closed_as_abandoned_with_their_answers(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    from functions import whatsapp_close_idle

    user = WhatsAppUser(api, PHONE)
    for message in ("hi", "yes", "Awa", "2", "1"):
        await user.send(message)
    busy = WhatsAppUser(api, "+254700000014")
    await busy.send("hi")
    with db.transaction() as conn:
        conn.execute("UPDATE whatsapp_conversations SET updated_at = now() - interval '23 hours 1 minute'"
                     " WHERE phone = %s", (PHONE,))  # fmt: skip
    result = whatsapp_close_idle.handler({}, LambdaContext(FunctionSpec("WhatsappCloseIdleJob", "functions.x")))
    assert result == {"closed": 1}
    (closed,) = rows(db, "SELECT status, answered, current_question_id, state FROM whatsapp_conversations"
                         " WHERE phone = %s", PHONE)  # fmt: skip
    assert (closed["status"], closed["answered"]) == ("abandoned", 1)
    assert str(closed["current_question_id"]) == closed["state"]["question"]
    dropoff = rows(db, "SELECT question_id, answered FROM whatsapp_dropoff ORDER BY answered DESC")
    questions = {
        q["code"]: q["id"] for q in (await api.get("/api/v1/questions", headers=bearer(admin))).json()["questions"]
    }
    assert [(str(r["question_id"]), r["answered"]) for r in dropoff] == [(questions["has_phone"], True),
                                                                        (questions["apps"], False)]  # fmt: skip
    assert "Reply YES to begin" in await user.send("hello again")  # a new conversation
    assert count(db, "whatsapp_conversations") == 3


# Every kind of message, in the order a respondent may send them: (kind, phone, body, what the reply starts with).
# The sid "again" repeats the message before it.
MESSAGE_KINDS = [
    ("first message", PHONE, "hi", "Hello! This is the skills assessment"),
    ("consent", PHONE, "yes", "What is your name?"),
    ("name", PHONE, "Awa", "Which sector do you work in"),
    ("sector", PHONE, "1", "Q1/5"),
    ("invalid answer", PHONE, "7", "That is not one of the options"),
    ("answer", PHONE, "1", "Q2/5"),
    ("BACK", PHONE, "back", "Q1/5"),
    ("answer again", PHONE, "1", "Q2/5"),
    ("HELP", PHONE, "help", "Commands:"),
    ("STATUS", PHONE, "status", "You're on Q2/5"),
    ("STOP", PHONE, "stop", "You will receive no more messages"),
    ("opted out", PHONE, "2", ""),
    ("START", PHONE, "start", "You are subscribed again"),
    ("answer after START", PHONE, "2 3", "Q3/5"),
    ("repeated MessageSid", PHONE, "again", "Q3/5"),
    ("answer", PHONE, "4", "Q4/5"),
    ("answer", PHONE, "7", "Q5/5"),
    ("completing message", PHONE, "fine", "Thank you, Awa! Your results:"),
    ("after completion", PHONE, "thanks", "You have completed the assessment"),
    ("first message", "+254700000012", "hi", "Hello! This is the skills assessment"),
    ("consent", "+254700000012", "yes", "What is your name?"),
    ("name", "+254700000012", "Kofi", "Which sector"),
    ("sector", "+254700000012", "1", "Q1/5"),
    ("invalid answer", "+254700000012", "x", "That is not one of the options"),
    ("invalid answer", "+254700000012", "x", "Let's try again"),
    ("left to an enumerator", "+254700000012", "x", "No problem: an enumerator will follow up"),
    ("answer", "+254700000012", "3", "Q3/4"),
    ("answer", "+254700000012", "5", "Q4/4"),
    ("ends left to an enumerator", "+254700000012", "ok", "Thank you, Kofi! Some answers need an enumerator"),
]


async def test_every_kind_of_message_takes_at_most_two_database_round_trips_the_completing_one_included(
    api: httpx.AsyncClient, db: Database, admin: str, runtime: Runtime, database_url: str
) -> None:
    port = int(conninfo_to_dict(database_url)["port"])  # type: ignore[arg-type]
    trips: list[tuple[str, int]] = []
    with RoundTripCounter(port) as wire:
        counted = Database(lambda: make_conninfo(database_url, port=wire.port))
        rt = runtime.replace(db=counted)
        try:
            # Warm, as the webhook is after its first request: connected, sectors and the version cached.
            service.receive(rt, _message("hi", phone="+254700000019"), RequestContext())
            sid = ""
            for kind, phone, body, expected in MESSAGE_KINDS:
                sid = sid if body == "again" else new_sid()
                wire.reset()
                received = service.receive(rt, _message(body, phone=phone, sid=sid), RequestContext())
                trips.append((kind, wire.trips))
                reply = "\n".join(received.messages)
                assert reply.startswith(expected) if expected else reply == "", (kind, reply)
        finally:
            counted.close()
    assert [(kind, n) for kind, n in trips if n != 2] == []
    assert dict(trips)["completing message"] == 2
    assert count(db, "assessments") == 1
    assert [r["status"] for r in rows(db, "SELECT status FROM whatsapp_conversations ORDER BY started_at")] == [
        "active", "completed", "followup",
    ]  # fmt: skip


def _message(body: str, *, phone: str = PHONE, sid: str | None = None) -> InboundMessage:
    return InboundMessage.model_validate(message_form(phone, body, sid or new_sid()))


# -- the simulator's relay (local gateway only) --------------------------------------------------------------


async def test_the_simulator_relay_signs_and_forwards_a_message_to_the_real_webhook(
    api: httpx.AsyncClient, db: Database, admin: str
) -> None:
    sent = await api.post("/api/local/whatsapp/messages", json={"from": PHONE, "body": "hi"})
    assert sent.status_code == 200, sent.text
    (reply,) = sent.json()["replies"]
    assert "Reply YES to begin" in reply
    assert rows(db, "SELECT direction, phone FROM whatsapp_messages") == [{"direction": "in", "phone": PHONE}]
    refused = await api.post("/api/local/whatsapp/messages", json={"from": "0700", "body": ""})
    assert refused.status_code == 422
    assert [d["path"] for d in refused.json()["error"]["details"]] == ["body.from", "body.body"]


async def test_a_price_reported_before_the_ledger_row_is_stored_reaches_it(db: Database, runtime: Runtime) -> None:
    from datetime import UTC, datetime

    from shared.costs.service import store
    from shared.runtime.meter import Component, Invocation, Usage

    with db.transaction() as conn:
        conn.execute("INSERT INTO whatsapp_messages (sid, direction, phone, kind, request_id, price_usd) VALUES"
                     " ('SMearly', 'out', %s, 'reply', 'req-early', 0.0049)", (PHONE,))  # fmt: skip
    usage = Usage(channel="whatsapp")
    usage.add(Component.TWILIO_MESSAGE, 2)
    measured = Invocation(
        "req-early", None, "PostWebhooksTwilioWhatsapp", f"POST {MESSAGE_PATH}", "http", 200, datetime.now(UTC),
        Decimal("12.5"), 512, "arm64", False, None, usage,
    )  # fmt: skip
    assert store(runtime, measured)
    (row,) = rows(db, "SELECT twilio_usd, twilio_actual_usd FROM cost_requests WHERE request_id = 'req-early'")
    assert (row["twilio_usd"], row["twilio_actual_usd"]) == (Decimal("0.010000000000"), Decimal("0.004900000000"))
