"""The cost ledger: every invocation through the door writes one priced row; finance reads it back. Costs
here are recomputed by hand from the price table (migration 0008) and compared exactly."""

from __future__ import annotations

import base64
import csv
import gzip
import json
import logging
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from functions import cost_reconciler
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database
from shared.runtime import current_runtime
from shared.runtime import ledger as ledger_line
from shared.runtime.meter import Component, Invocation, Usage
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUEST = Decimal("0.0000002")
ARM64_GB_S = Decimal("0.0000133334")
HTTP_API = Decimal("0.000001")
# Production's fixed costs per hour: 0.5 ACU of Aurora, the proxy's 8-ACU minimum, the Secrets Manager endpoint
# in two zones.
POOL_PER_HOUR = {
    "aurora.acu-hour": Decimal("0.06"),
    "rds-proxy.acu-hour": Decimal("0.12"),
    "vpc-endpoint.hour": Decimal("0.02"),
}


def by_hand(row: dict[str, Any]) -> Decimal:
    """A plain HTTP request's cost from its measured duration: request + GB-seconds + API Gateway."""
    billed = max(1, math.ceil(Decimal(row["duration_ms"]) + Decimal(row["init_ms"] or 0)))
    assert row["billed_ms"] == billed
    gb_seconds = Decimal(row["memory_mb"]) / 1024 * Decimal(billed) / 1000
    return REQUEST + gb_seconds * ARM64_GB_S + HTTP_API


@pytest.fixture
async def finance(api: httpx.AsyncClient, db: Database) -> dict[str, str]:
    root = await signup_first(api)
    admin = str((await login_tokens(api, root))["access_token"])
    account = await invite_and_signup(api, admin, "money@example.org", "finance")
    return {"admin": admin, "finance": str((await login_tokens(api, account))["access_token"])}


async def ledger(api: httpx.AsyncClient, token: str, **params: str) -> list[dict[str, Any]]:
    response = await api.get("/api/v1/costs/requests", params={"limit": "500", **params}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_known_mix_of_requests_is_priced_as_computed_by_hand(
    api: httpx.AsyncClient, finance: dict[str, str]
) -> None:
    start = datetime.now(UTC)
    for _ in range(3):
        assert (await api.get("/api/v1/health")).status_code == 200
    assert (await api.get("/api/v1/sectors", headers=bearer(finance["finance"]))).status_code == 200
    assert (await api.get("/api/v1/users", headers=bearer(finance["finance"]))).status_code == 403
    end = datetime.now(UTC)
    period = {"from": start.isoformat(), "to": end.isoformat()}

    rows = await ledger(api, finance["finance"], **period)

    assert sorted((r["route"], r["status"]) for r in rows) == [
        ("GET /api/v1/health", 200), ("GET /api/v1/health", 200), ("GET /api/v1/health", 200),
        ("GET /api/v1/sectors", 200), ("GET /api/v1/users", 403),
    ]  # fmt: skip
    for row in rows:
        assert Decimal(row["direct_usd"]) == by_hand(row), row["route"]
        assert (row["kind"], row["channel"], row["architecture"], row["price_version"]) == ("http", "web", "arm64", 1)
        assert row["correlation_id"]
    health = [r for r in rows if r["route"] == "GET /api/v1/health"]
    assert {r["memory_mb"] for r in health} == {256}
    assert all(r["db_statements"] >= 1 and Decimal(r["db_ms"]) > 0 for r in health)
    assert {r["actor"] for r in health} == {None}
    signed_in = {r["actor"] for r in rows if r["route"] != "GET /api/v1/health"}
    assert len(signed_in) == 1, signed_in

    summary = await api.get(
        "/api/v1/costs/summary", params={**period, "group_by": "route"}, headers=bearer(finance["finance"])
    )
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert (body["from"], body["group_by"]) == (body["from"], "route")
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["GET /api/v1/health"]["requests"] == 3
    assert Decimal(groups["GET /api/v1/health"]["direct_usd"]) == sum(by_hand(r) for r in health)
    assert body["totals"]["requests"] == 5
    assert Decimal(body["totals"]["direct_usd"]) == sum(by_hand(r) for r in rows)
    # Fixed costs of the period, shared out by database time.
    hours = Decimal((end - start).total_seconds()) / 3600
    pool = {k: (v * hours).quantize(Decimal("1E-12")) for k, v in POOL_PER_HOUR.items()}
    assert {k: Decimal(v) for k, v in body["totals"]["shared_pool"].items()} == pool
    assert Decimal(body["totals"]["shared_usd"]) == sum(pool.values())
    shared = sum(Decimal(g["shared_usd"]) for g in body["groups"])
    assert abs(shared - sum(pool.values())) <= Decimal("1E-12") * len(groups)
    for group in body["groups"]:
        assert Decimal(group["total_usd"]) == Decimal(group["direct_usd"]) + Decimal(group["shared_usd"])


async def test_every_request_of_a_form_session_counts_towards_its_assessment(
    api: httpx.AsyncClient, db: Database, finance: dict[str, str]
) -> None:
    add_test_sectors(db)
    setup = await publish_small(api, finance["admin"])
    start = datetime.now(UTC)
    session = {"X-Assessment-Session": "form-1", **bearer(finance["admin"])}
    assert (await api.get("/api/v1/questions", headers=session)).status_code == 200
    answers = {"has_phone": "no", "confidence": 3, "sums": 5}
    submitted = await api.post(
        "/api/v1/assessments/submit",
        json={
            "questionnaire_version_id": setup["version_id"],
            "respondent": {"phone": "+2250700000009", "name": "Ama", "sector": "ict"},
            "answers": [{"question_id": setup["questions"][k], "value": v} for k, v in answers.items()],
        },
        headers={**session, "Idempotency-Key": "form-1"},
    )
    assert submitted.status_code == 201, submitted.text
    # The submission kicked the outbox relay, whose invocation shares the period's fixed costs: let it finish,
    # so that both reads below see the same requests.
    current_runtime().invoker.wait_idle()  # type: ignore[attr-defined]
    end = datetime.now(UTC)
    period = {"from": start.isoformat(), "to": end.isoformat()}

    rows = await ledger(api, finance["finance"], **period)
    costs = await api.get("/api/v1/costs/per-assessment", params=period, headers=bearer(finance["finance"]))

    assert costs.status_code == 200, costs.text
    (group,) = costs.json()["groups"]
    assert (group["channel"], group["sector"], group["assessments"]) == ("web", "ict", 1)
    # The period holds the session's requests and the relay's run that the submission kicked: the relay's is
    # nobody's session, but its database time takes its share of the period's fixed costs.
    session = [r for r in rows if r["session_key"] == "web:form-1"]
    assert [(r["route"], r["session_key"]) for r in rows if r not in session] == [("job relay", None)]
    assert [r["assessment_id"] for r in session if r["route"] == "POST /api/v1/assessments/submit"] == [
        submitted.json()["assessment_id"]
    ]
    hours = Decimal((end - start).total_seconds()) / 3600
    rate = sum((v * hours).quantize(Decimal("1E-12")) for v in POOL_PER_HOUR.values()) / sum(
        Decimal(r["db_ms"]) for r in rows
    )
    expected = sum(Decimal(r["direct_usd"]) + Decimal(r["db_ms"]) * rate for r in session)
    assert abs(Decimal(group["total_usd"]) - expected) <= Decimal("1E-12")
    assert group["mean_usd"] == group["median_usd"] == group["p95_usd"] == group["total_usd"]


def report_line(request_id: str, billed_ms: int, max_memory: int, init_ms: str | None = None) -> str:
    init = f"Init Duration: {init_ms} ms\t" if init_ms else ""
    return (
        f"REPORT RequestId: {request_id}\tDuration: {billed_ms - 0.75} ms\tBilled Duration: {billed_ms} ms\t"
        f"Memory Size: 256 MB\tMax Memory Used: {max_memory} MB\t{init}\n"
    )


def subscription_event(*messages: str) -> dict[str, Any]:
    """What CloudWatch Logs hands a subscribed function: gzip, then base64, of the batch."""
    data = {"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/aws/lambda/GetHealth",
            "logStream": "2026/11/29/[$LATEST]abc", "subscriptionFilters": ["ledger"],
            "logEvents": [{"id": str(n), "timestamp": n, "message": m} for n, m in enumerate(messages)]}  # fmt: skip
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(data).encode())).decode()}}


async def test_in_aws_the_reconciler_stores_measurements_and_corrects_them_with_report_lines(
    api: httpx.AsyncClient, finance: dict[str, str]
) -> None:
    start = datetime.now(UTC).isoformat()
    assert (await api.get("/api/v1/health")).status_code == 200
    (row,) = await ledger(api, finance["finance"], **{"from": start, "route": "GET /api/v1/health"})
    assert row["reconciled"] is False
    # A measurement as a function in AWS logs it (shared/runtime/ledger.py), and its REPORT line.
    usage = Usage(channel="web", db_seconds=0.001, db_statements=1)
    usage.add(Component.LAMBDA_REQUEST)
    usage.add(Component.HTTP_API_REQUEST)
    measured = Invocation(
        request_id="0b7d7d2e-6a1b-4c2d-8e3f-a1b2c3d4e5f6", correlation_id="Xy12AbCdEfGhIj=", function="GetHealth",
        entry="GET /api/v1/health",
        kind="http", status=200, started_at=datetime.now(UTC), duration_ms=Decimal("3.1"), memory_mb=256,
        architecture="arm64", cold_start=False, init_ms=None, usage=usage,
    )  # fmt: skip
    line = json.dumps({"type": "cost.invocation", "invocation": ledger_line.to_json(measured)})
    event = subscription_event(
        f"START RequestId: {row['request_id']}",
        report_line(row["request_id"], 103, 87, init_ms="412.73"),
        line,
        report_line("0b7d7d2e-6a1b-4c2d-8e3f-a1b2c3d4e5f6", 5, 80),
    )

    result = cost_reconciler.handler(event, LambdaContext(FunctionSpec("CostReconcilerJob", cost_reconciler.__name__)))

    assert result == {"invocations": 1, "stored": 1, "reports": 2, "reconciled": 2}
    after = await api.get(f"/api/v1/costs/requests/{row['request_id']}", headers=bearer(finance["finance"]))
    assert after.status_code == 200
    reconciled = after.json()
    assert (reconciled["billed_ms"], reconciled["max_memory_mb"]) == (103, 87)
    assert (reconciled["reconciled"], reconciled["cold_start"]) == (True, True)
    assert Decimal(reconciled["init_ms"]) == Decimal("412.73")
    compute = Decimal(256) / 1024 * Decimal(103) / 1000 * ARM64_GB_S
    assert Decimal(reconciled["lambda_usd"]) == REQUEST + compute
    assert Decimal(reconciled["direct_usd"]) == REQUEST + compute + HTTP_API
    # Looked up by the API Gateway request id the client saw.
    stored = await api.get("/api/v1/costs/requests/Xy12AbCdEfGhIj=", headers=bearer(finance["finance"]))
    assert stored.status_code == 200
    assert (stored.json()["request_id"], stored.json()["billed_ms"], stored.json()["reconciled"]) == (
        "0b7d7d2e-6a1b-4c2d-8e3f-a1b2c3d4e5f6",
        5,
        True,
    )


async def test_a_failing_ledger_write_leaves_the_response_unchanged(
    api: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    expected = await api.get("/api/v1/health")
    current_runtime().ledger.flush()
    with db.transaction() as conn:
        conn.execute(
            "CREATE FUNCTION refuse_ledger() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ledger refused for this test'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON cost_requests FOR EACH ROW EXECUTE FUNCTION refuse_ledger()"
        )
    try:
        with caplog.at_level(logging.WARNING, logger="shared.costs.service"):
            response = await api.get("/api/v1/health")
            current_runtime().ledger.flush()  # the row is written off the response's path
    finally:
        with db.transaction() as conn:
            conn.execute("DROP TRIGGER refuse ON cost_requests")
            conn.execute("DROP FUNCTION refuse_ledger()")

    assert (response.status_code, response.json()) == (expected.status_code, expected.json())
    # The whole measured row is in the log line, under the request's correlation id.
    (row,) = [
        r.ledger_row  # type: ignore[attr-defined]
        for r in caplog.records
        if r.getMessage().startswith("cost ledger row not written")
        and r.ledger_row["correlation_id"] == response.headers["apigw-requestid"]  # type: ignore[attr-defined]
    ]
    assert row["entry"] == "GET /api/v1/health"


async def test_the_ledger_pages_with_an_opaque_cursor(api: httpx.AsyncClient, finance: dict[str, str]) -> None:
    start = datetime.now(UTC).isoformat()
    for _ in range(5):
        await api.get("/api/v1/health")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"from": start, "route": "GET /api/v1/health", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/api/v1/costs/requests", params=params, headers=bearer(finance["finance"]))).json()
        seen += [r["request_id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    bad = await api.get(
        "/api/v1/costs/requests", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=bearer(finance["finance"])
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["path"] == "query.cursor"


def test_the_ledger_s_prices_are_the_price_table_s(db: Database) -> None:
    # One price table (shared/pricing/prices.csv) for the ledger and the cost floor: version 1 agrees with it.
    table = {
        row["component"]: Decimal(row["unit_price_usd"])
        for row in csv.DictReader((REPO_ROOT / "shared" / "pricing" / "prices.csv").open())
        if row["region"] == "us-east-1"
    }
    with db.transaction(read_only=True) as conn:
        ledger_prices = {
            r["component"]: r["unit_price"] for r in conn.execute("SELECT * FROM prices WHERE version = 1")
        }
    assert ledger_prices == {component: table[component] for component in ledger_prices}


async def test_a_period_no_price_covers_and_a_number_for_a_time_are_422_with_the_field(
    api: httpx.AsyncClient, finance: dict[str, str]
) -> None:
    for route in ("/api/v1/costs/summary", "/api/v1/costs/per-assessment"):
        early = await api.get(route, params={"to": "2000-01-01T00:00:00Z"}, headers=bearer(finance["finance"]))
        assert early.status_code == 422, early.text
        assert [d["path"] for d in early.json()["error"]["details"]] == ["query.to"]
    unix = await api.get("/api/v1/costs/requests", params={"to": "0.5"}, headers=bearer(finance["finance"]))
    assert unix.status_code == 422
    assert [d["path"] for d in unix.json()["error"]["details"]] == ["query.to"]
