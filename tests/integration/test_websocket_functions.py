"""The WebSocket functions called with the events API Gateway sends (the recorded ones): the route's rule, the
answer API Gateway expects, and what the cost ledger is told (messages in 32 KB steps, connection minutes)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database
from shared.runtime import Runtime, runtime_with
from shared.runtime.meter import Component, Invocation
from tests.fakes import RecordingLedger

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _recorded(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((FIXTURES / f"apigw_websocket_{name}.json").read_text())
    return event


def _call(module: str, event: dict[str, Any]) -> tuple[dict[str, Any], Invocation]:
    import importlib

    ledger = RecordingLedger()
    with runtime_with(ledger=ledger):
        result = importlib.import_module(module).handler(event, LambdaContext(FunctionSpec("F", module)))
    (invocation,) = ledger.invocations
    return result, invocation


def _user(db: Database, role: str = "analyst") -> str:
    with db.transaction() as conn:
        row = conn.execute(
            "INSERT INTO users (email, password_hash, role) VALUES (%s, '$argon2id$x', %s) RETURNING id",
            (f"{role}@example.org", role),
        ).fetchone()
    assert row is not None
    return str(row["id"])


def test_a_disconnect_counts_the_minutes_the_connection_was_open(db: Database, runtime: Runtime) -> None:
    result, invocation = _call("functions.ws_disconnect", _recorded("disconnect"))
    assert result == {"statusCode": 200}
    assert (invocation.kind, invocation.entry, invocation.status) == ("websocket", "ws $disconnect", 200)
    assert invocation.usage.counts[Component.WEBSOCKET_CONNECTION_MINUTE] == 7  # 374 s, billed per started minute
    assert Component.WEBSOCKET_MESSAGE not in invocation.usage.counts


def test_a_message_on_an_unknown_connection_is_answered_with_an_error_and_billed_both_ways(
    db: Database, runtime: Runtime
) -> None:
    result, invocation = _call("functions.ws_default", _recorded("message"))
    reply = json.loads(result["body"])
    assert reply["type"] == "error"
    assert reply["error"]["code"] == "unauthorized"
    assert invocation.usage.counts[Component.WEBSOCKET_MESSAGE] == 2  # the message in, the reply out


def test_a_ping_on_a_known_connection_is_answered_and_attributed(db: Database, runtime: Runtime) -> None:
    user = _user(db)
    event = _recorded("message")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO ws_connections (connection_id, user_id, role) VALUES (%s, %s, 'analyst')",
            (event["requestContext"]["connectionId"], user),
        )
    event["body"] = json.dumps({"type": "ping"})
    result, invocation = _call("functions.ws_default", event)
    assert json.loads(result["body"]) == {"type": "pong"}
    assert invocation.usage.actor == f"user:{user}"
    big = copy.deepcopy(event)
    big["body"] = json.dumps({"type": "ping", "pad": "x" * 40_000})
    _, billed = _call("functions.ws_default", big)
    assert billed.usage.counts[Component.WEBSOCKET_MESSAGE] == 3  # 40 KB in is two 32 KB steps, the reply one


def test_a_connect_without_an_allowed_origin_or_a_ticket_is_refused(db: Database, runtime: Runtime) -> None:
    event = _recorded("connect")
    result, invocation = _call("functions.ws_connect", event)
    assert result["statusCode"] == 403  # the recorded handshake carries no Origin
    assert "body" not in result
    with runtime_with(settings=runtime.settings.model_copy(update={"spa_origins": "https://app.example.org"})):
        event["headers"]["Origin"] = "https://app.example.org"
        result, _ = _call("functions.ws_connect", event)
        assert result["statusCode"] == 401  # no ticket
        event["queryStringParameters"] = {"ticket": "made-up"}
        result, _ = _call("functions.ws_connect", event)
        assert result["statusCode"] == 401
    assert Component.WEBSOCKET_MESSAGE not in invocation.usage.counts
    assert _count(db, "ws_connections") == 0


def _count(db: Database, table: str) -> int:
    row = db.fetch_one(f"SELECT count(*) AS n FROM {table}")  # a fixed table name, not input
    assert row is not None
    return int(row["n"])
