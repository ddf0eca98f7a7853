"""The WhatsApp webhook against the web submission, through their Lambda handlers (API Gateway events, warm, the
same PostgreSQL): latency per request, requests per second with 100 respondents in flight at once, and database
round trips per request counted on the wire (bench/wire.py).

A WhatsApp respondent takes the seeded questionnaire (make dev's) one message at a time: HI, consent, name,
sector, then every question, the last message completing the assessment through the shared submission. The web
path is `POST /api/v1/assessments/submit` with the same answers, one request per assessment, by a signed-in
user (the token check is part of that path, as the signature check is part of the webhook's).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import secrets
import statistics
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from psycopg.conninfo import make_conninfo

from bench.database import bench_database
from bench.machine import describe
from bench.stats import percentile
from bench.submissions import machine_cpu_seconds
from bench.wire import RoundTripCounter
from local.http_events import GatewayIdentity, HttpRequest, RouteMatch, build_event
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database
from shared.runtime import current_runtime, install_runtime
from shared.runtime.meter import Invocation

RESPONDENTS = 100  # in flight at once
ENVIRONMENTS = 4  # processes standing for Lambda execution environments, one request at a time each
SEQUENTIAL_CONVERSATIONS = 12
SEQUENTIAL_SUBMISSIONS = 300
WEBHOOK = "/api/v1/webhooks/twilio/whatsapp"
SUBMIT = "/api/v1/assessments/submit"
BASE_URL = "http://127.0.0.1:8000"


class _NoLedger:
    """Both paths alike: the ledger's own cost is measured in the door's section."""

    def record(self, invocation: Invocation) -> None:
        return None

    def flush(self, timeout_s: float = 5.0) -> None:
        return None


def _event(method: str, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    request = HttpRequest(method, path, path, "", [("host", "127.0.0.1:8000"), *headers.items()], body, "203.0.113.9")
    return build_event(request, RouteMatch(f"{method} {path}"), GatewayIdentity())


def _message_event(token: str, phone: str, text: str, sid: str | None = None) -> dict[str, Any]:
    from twilio.request_validator import RequestValidator

    sid = sid or "SM" + secrets.token_hex(16)
    form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": f"whatsapp:{phone}",
            "To": "whatsapp:+14155238886", "Body": text, "NumMedia": "0", "ProfileName": "Bench",
            "WaId": phone.lstrip("+"), "ApiVersion": "2010-04-01"}  # fmt: skip
    signature = RequestValidator(token).compute_signature(BASE_URL + WEBHOOK, form)
    headers = {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature}
    return _event("POST", WEBHOOK, urlencode(form).encode(), headers)


def _reply(result: dict[str, Any]) -> str:
    assert result["statusCode"] == 200, result
    return "\n".join((m.text or "") for m in ET.fromstring(result["body"]).iter("Message"))  # noqa: S314


def _answer_for(prompt: str) -> str:
    """The first option, the first two, the top of a range, or some text."""
    if "Reply with one number" in prompt:
        return "1"
    if "numbers of all that apply" in prompt:
        return "1 2"
    found = re.search(r"Reply a number (\d+)-(\d+)\.", prompt)
    return found.group(2) if found else "I repair phones"


def _script(send: Callable[[str], str]) -> list[str]:
    """One whole conversation, as the messages a respondent sends; ``send`` answers each with its reply."""
    sent = ["hi", "yes", "Awa", "4"]
    reply = ""
    for text in sent:
        reply = send(text)
    while reply.startswith("Q"):
        text = _answer_for(reply)
        sent.append(text)
        reply = send(text)
    assert "Your results" in reply, reply
    return sent


def _install(url: str) -> Database:
    """A fresh connection for this process (an execution environment), with the shared runtime's other parts."""
    db = Database(lambda: url, on_statement=current_runtime().meter.on_statement)
    install_runtime(current_runtime().replace(db=db, ledger=_NoLedger()))
    asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum runs on this thread's loop, as in Lambda
    return db


def _webhook_worker(args: tuple[str, str, list[str], list[str]]) -> list[float]:
    """Conversations interleaved: every respondent of this environment sends its next message in turn."""
    from functions import whatsapp_webhook

    url, token, phones, script = args
    db = _install(url)
    context = LambdaContext(FunctionSpec("PostWebhooksTwilioWhatsapp", "functions.whatsapp_webhook"))
    latencies = []
    for text in script:
        for phone in phones:
            event = _message_event(token, phone, text)
            started = time.perf_counter()
            reply = _reply(whatsapp_webhook.handler(event, context))
            latencies.append(time.perf_counter() - started)
            assert reply, reply
    db.close()
    return latencies


def _submit_event(access: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    headers = {"content-type": "application/json", "authorization": f"Bearer {access}", "idempotency-key": key}
    return _event("POST", SUBMIT, json.dumps(body).encode(), headers)


def _submission(template: dict[str, Any], n: int) -> dict[str, Any]:
    return {**template, "respondent": {"phone": f"+2557{n:08d}", "name": "Awa", "sector": "ict"}}


def _submit_worker(args: tuple[str, str, dict[str, Any], list[int]]) -> list[float]:
    from functions import assessments_submit

    url, access, template, numbers = args
    db = _install(url)
    context = LambdaContext(FunctionSpec("PostAssessmentsSubmit", "functions.assessments_submit"))
    latencies = []
    for n in numbers:
        event = _submit_event(access, _submission(template, n), f"bench-{n}")
        started = time.perf_counter()
        result = assessments_submit.handler(event, context)
        latencies.append(time.perf_counter() - started)
        assert result["statusCode"] == 201, result
    db.close()
    return latencies


def _parallel(worker: Callable[[Any], list[float]], jobs: list[Any]) -> tuple[float, float, list[float]]:
    """Requests per second, machine CPU ms per request, and every latency."""
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        cpu = machine_cpu_seconds()
        begun = time.perf_counter()
        results = pool.map(worker, jobs)
        elapsed = time.perf_counter() - begun
        cpu = machine_cpu_seconds() - cpu
    latencies = [x for r in results for x in r]
    return len(latencies) / elapsed, cpu * 1000 / len(latencies), latencies


def _ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def run() -> tuple[str, dict[str, float]]:
    from dotenv import dotenv_values

    from local.secrets import ENV_EXAMPLE
    from local.seed import seed

    token = str(dotenv_values(ENV_EXAMPLE)["TWILIO_AUTH_TOKEN"])
    os.environ.update({"TWILIO_AUTH_TOKEN": token, "TWILIO_WEBHOOK_BASE_URL": BASE_URL})
    from shared.config import get_settings

    get_settings.cache_clear()
    with bench_database() as (db, cluster):
        url = cluster.url("postgres")
        install_runtime(current_runtime().replace(settings=get_settings(), ledger=_NoLedger()))
        seed(url)
        from functions import assessments_submit, whatsapp_webhook
        from shared.auth import common, passwords, repository

        _install(url)
        with current_runtime().db.transaction() as conn:
            user = repository.insert_user(conn, "bench@example.org", "", passwords.hash_password("x" * 20), "analyst")
            access = common.issue_pair(conn, current_runtime().tokens, user.id).access_token
        context = LambdaContext(FunctionSpec("PostWebhooksTwilioWhatsapp", "functions.whatsapp_webhook"))

        # The script: one conversation, whose answers also make the web submission's body.
        script = _script(lambda text: _reply(whatsapp_webhook.handler(_message_event(token, "+255600000000", text),
                                                                      context)))  # fmt: skip
        with db.transaction(read_only=True) as conn:
            row = conn.execute(
                "SELECT a.version_id, json_agg(json_build_object('question_id', x.question_id, 'value', x.value))"
                " AS answers FROM assessments a JOIN answers x ON x.assessment_id = a.id GROUP BY a.version_id"
            ).fetchone()
        assert row is not None
        template = {"questionnaire_version_id": str(row["version_id"]), "answers": row["answers"]}

        # Round trips on the wire, warm (connected, reference data cached): a whole conversation, submissions.
        with RoundTripCounter(cluster.port) as wire:
            counted = _install(make_conninfo(url, port=wire.port))
            submit_context = LambdaContext(FunctionSpec("PostAssessmentsSubmit", "functions.assessments_submit"))
            _reply(whatsapp_webhook.handler(_message_event(token, "+255600000002", "hi"), context))
            trips: list[int] = []
            sids: list[str] = []

            def counted_trips(text: str, sid: str | None = None) -> tuple[str, int]:
                sids.append(sid or "SM" + secrets.token_hex(16))
                wire.reset()
                reply = _reply(whatsapp_webhook.handler(_message_event(token, "+255600000001", text, sids[-1]),
                                                        context))  # fmt: skip
                return reply, wire.trips

            def counted_send(text: str) -> str:
                reply, n = counted_trips(text)
                trips.append(n)
                return reply

            sent = _script(counted_send)
            # The same completing message delivered again, and one more after the end.
            repeated = counted_trips(sent[-1], sids[-1])
            assert "Your results" in repeated[0], repeated
            after = counted_trips("thanks")
            kinds = {
                "first message (HI: a new conversation)": [trips[0]], "consent (YES)": [trips[1]],
                "name": [trips[2]], "sector": [trips[3]], "an answer (the next question)": trips[4:-1],
                "the completing answer (the shared submission, the conversation's end, the results)": [trips[-1]],
                "the completing message delivered again (the stored reply, nothing changed)": [repeated[1]],
                "a message after the end": [after[1]],
            }  # fmt: skip
            submit_trips = []
            for n in (1, 2, 3):
                wire.reset()
                result = assessments_submit.handler(
                    _submit_event(access, _submission(template, n), f"w{n}"), submit_context
                )
                assert result["statusCode"] == 201, result
                submit_trips.append(wire.trips)
            counted.close()
        _install(url)

        # Latency, one request at a time (warm).
        sequential_messages: list[float] = []
        for i in range(SEQUENTIAL_CONVERSATIONS):
            for text in script:
                event = _message_event(token, f"+25561{i:07d}", text)
                started = time.perf_counter()
                _reply(whatsapp_webhook.handler(event, context))
                sequential_messages.append(time.perf_counter() - started)
        sequential_submits: list[float] = []
        for n in range(10, 10 + SEQUENTIAL_SUBMISSIONS):
            event = _submit_event(access, _submission(template, n), f"s{n}")
            started = time.perf_counter()
            assessments_submit.handler(event, submit_context)
            sequential_submits.append(time.perf_counter() - started)
        current_runtime().db.close()

        # 100 respondents at once over ENVIRONMENTS environments, against as many web submissions.
        phones = [f"+25562{i:07d}" for i in range(RESPONDENTS)]
        message_jobs = [(url, token, phones[i::ENVIRONMENTS], script) for i in range(ENVIRONMENTS)]
        messages_per_s, message_cpu, _ = _parallel(_webhook_worker, message_jobs)
        numbers = list(range(100_000, 100_000 + RESPONDENTS * 4))
        submit_jobs = [(url, access, template, numbers[i::ENVIRONMENTS]) for i in range(ENVIRONMENTS)]
        submits_per_s, submit_cpu, _ = _parallel(_submit_worker, submit_jobs)
        with db.transaction(read_only=True) as conn:
            stored = conn.execute(
                "SELECT count(*) FILTER (WHERE channel = 'whatsapp') AS whatsapp, count(*) AS total FROM assessments"
            ).fetchone()
        assert stored is not None

    results = {
        "message_p50_ms": _ms(sequential_messages, 0.5), "message_p99_ms": _ms(sequential_messages, 0.99),
        "submit_p50_ms": _ms(sequential_submits, 0.5), "submit_p99_ms": _ms(sequential_submits, 0.99),
        "messages_per_s": messages_per_s, "submits_per_s": submits_per_s,
        "message_cpu_ms": message_cpu, "submit_cpu_ms": submit_cpu,
        "trips_max": max(max(n) for n in kinds.values()), "trips_last": trips[-1],
        "trips_mean": statistics.mean(trips),
    }  # fmt: skip
    per_assessment = len(script)
    r = results
    lines = [
        "## WhatsApp webhook against the web submission",
        "",
        "Both through their Lambda handlers (an API Gateway event, Mangum, FastAPI, the auth rule: Twilio's signature"
        " or a bearer token), warm, against the same PostgreSQL as the submissions above; cost ledger off for both"
        f" (its cost is the door's section). A WhatsApp respondent sends {per_assessment} messages for the seeded"
        f" questionnaire ({per_assessment - 4} questions shown by the answers, after HI, consent, name and sector),"
        " the last one completing the assessment through the shared submission; the web sends the same answers in"
        " one request.",
        "",
        "| one request at a time | p50 ms | p99 ms | ratio of p50 to the web submission |",
        "|---|---:|---:|---:|",
        f"| web submission (`POST {SUBMIT}`, baseline) | {r['submit_p50_ms']:.2f} | {r['submit_p99_ms']:.2f} | 1.00x |",
        f"| WhatsApp message (`POST {WEBHOOK}`) | {r['message_p50_ms']:.2f} | {r['message_p99_ms']:.2f} |"
        f" {r['message_p50_ms'] / r['submit_p50_ms']:.2f}x |",
        "",
        f"{RESPONDENTS} respondents in flight at once, over {ENVIRONMENTS} processes standing for execution"
        " environments (each takes its respondents' next messages in turn, one request at a time), against"
        f" {RESPONDENTS * 4} web submissions over the same {ENVIRONMENTS}:",
        "",
        "| path | requests/s | machine CPU ms per request | assessments/s | ratio to the web (requests; assessments) |",
        "|---|---:|---:|---:|---:|",
        f"| web submission (baseline) | {r['submits_per_s']:.0f} | {r['submit_cpu_ms']:.2f} |"
        f" {r['submits_per_s']:.0f} | 1.00x; 1.00x |",
        f"| WhatsApp messages | {r['messages_per_s']:.0f} | {r['message_cpu_ms']:.2f} |"
        f" {r['messages_per_s'] / per_assessment:.1f} | {r['messages_per_s'] / r['submits_per_s']:.2f}x;"
        f" {r['messages_per_s'] / per_assessment / r['submits_per_s']:.3f}x |",
        "",
        "Database round trips per message, counted on the wire (bench/wire.py: each time the client speaks again"
        f" after the server answered), warm: at most {r['trips_max']} for every kind (target: at most 2; mean over"
        f" the conversation {r['trips_mean']:.2f}). The MessageSid's record, the contact's row lock and the"
        " conversation's read go together in pipeline mode; then the new state, the reply and the ledger rows go"
        " with the COMMIT. The completing answer sends the shared submission (`submit_assessment`) there too, in one"
        " statement with the conversation's end and the reply, both worked out beforehand from the scores the"
        " submission's document carries and picked by its outcome; its ids are read after the COMMIT. A repeated"
        " delivery sends its ROLLBACK with the closing sync. The web submission takes"
        f" {max(submit_trips[1:])} (the token check, then the one-statement submission).",
        "",
        "| message | round trips |",
        "|---|---:|",
        *(f"| {kind} | {max(n)} |" for kind, n in kinds.items()),
        "",
        f"Stored: {stored['whatsapp']} WhatsApp and {stored['total'] - stored['whatsapp']} web assessments."
        f" {describe().splitlines()[1].removeprefix('- ')}.",
        "",
    ]
    return "\n".join(lines), results
