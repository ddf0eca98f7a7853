"""The WebSocket API end to end, as a browser uses it: a ticket over HTTP, a real WebSocket to the local gateway
served by uvicorn, and the relay posting through the management endpoint with boto3."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import boto3
import httpx
import pytest
from psycopg.types.json import Jsonb
from websockets.exceptions import InvalidStatus

from shared.db import Database
from shared.outbox.service import kick_relay
from shared.runtime import current_runtime
from tests.integration.auth_helpers import Account, bearer, invite_and_signup, login_tokens, signup_first
from tests.integration.live_platform import Live, http, live, receive_json, request, until
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small

__all__ = ["http", "live"]  # fixtures


async def _token(api: httpx.AsyncClient, account: Account) -> str:
    return str((await login_tokens(api, account))["access_token"])


@pytest.fixture
async def world(http: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    add_test_sectors(db)
    root = await signup_first(http)
    admin = await _token(http, root)
    small = await publish_small(http, admin)
    return {"admin": admin, "root": root, **small}


def _submission(world: dict[str, Any], phone: str) -> dict[str, Any]:
    q = world["questions"]
    return {
        "questionnaire_version_id": world["version_id"],
        "respondent": {"phone": phone, "name": "Awa", "sector": "ict"},
        "answers": [{"question_id": q["has_phone"], "value": "no"}, {"question_id": q["confidence"], "value": 3},
                    {"question_id": q["sums"], "value": 7}],
    }  # fmt: skip


async def _submit(api: httpx.AsyncClient, token: str, world: dict[str, Any], phone: str) -> str:
    response = await api.post(
        "/api/v1/assessments/submit",
        json=_submission(world, phone),
        headers={**bearer(token), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["assessment_id"])


def _is_about(assessment_id: str) -> Any:
    return lambda m: (
        m.get("type") == "dashboard.delta" and any(a["assessment_id"] == assessment_id for a in m["assessments"])
    )


async def test_a_dashboard_subscriber_hears_of_a_submission_within_two_seconds(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        assert await request(ws, {"type": "subscribe", "topics": ["dashboard"]}) == {
            "type": "subscribed",
            "topics": ["dashboard"],
        }
        assert await request(ws, {"type": "ping"}) == {"type": "pong"}

        assessment_id = await _submit(http, world["admin"], world, "+2250700000001")

        delta = await until(ws, _is_about(assessment_id), timeout_s=2)
        assert delta["submissions"] >= 1
        assert delta["by_sector"]["ict"] >= 1
        assert len(json.dumps(delta)) < 32 * 1024


async def test_a_ticket_opens_one_connection_only(live: Live, http: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        assert await request(ws, {"type": "ping"}) == {"type": "pong"}
    with pytest.raises(InvalidStatus) as refused:
        async with live.connect(ticket):
            pass
    assert refused.value.response.status_code == 401


@pytest.mark.parametrize(
    ("ticket", "origin", "status"),
    [
        ("valid", "https://evil.example", 403),
        ("valid", "http://127.0.0.1:1", 403),
        (None, None, 401),
        ("not-a-ticket", None, 401),
    ],
)
async def test_a_connection_without_a_valid_ticket_or_from_another_origin_is_refused(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], ticket: str | None, origin: str | None, status: int
) -> None:
    if ticket == "valid":
        ticket = await live.ticket(http, world["admin"])
    with pytest.raises(InvalidStatus) as refused:
        async with live.connect(ticket, origin=origin):
            pass
    assert refused.value.response.status_code == status


async def test_a_ticket_needs_a_signed_in_user(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/ws/ticket")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_a_topic_the_role_may_not_see_is_refused_in_a_message(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    finance = await invite_and_signup(http, world["admin"], "money@example.org", "finance")
    ticket = await live.ticket(http, await _token(http, finance))
    async with live.connect(ticket) as ws:
        refused = await request(ws, {"type": "subscribe", "topics": ["exports", "dashboard"]})
        assert refused["type"] == "error"
        assert refused["error"]["code"] == "forbidden"
        assert refused["error"]["details"] == {"topics": ["dashboard"]}
        unknown = await request(ws, {"type": "subscribe", "topics": ["gossip"]})
        assert unknown["error"]["code"] == "validation_error"
        assert unknown["error"]["details"][0]["path"] == "message.topics"
        bad = await request(ws, {"type": "subscribe"})
        assert bad["error"]["code"] == "validation_error"
        garbage = await request(ws, "not json at all")  # type: ignore[arg-type]
        assert garbage["error"]["code"] == "validation_error"
        # Nothing changed by the refusals: the allowed topic alone is taken now.
        assert await request(ws, {"type": "subscribe", "topics": ["exports"]}) == {
            "type": "subscribed",
            "topics": ["exports"],
        }


async def test_a_connection_gone_without_a_word_is_deleted_at_the_next_broadcast(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    # Given a dashboard subscriber, and the row of a connection API Gateway no longer has (its $disconnect
    # never arrived)
    stale = "StaleConnId0000="
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO ws_connections (connection_id, user_id, role, topics) VALUES (%s, %s, 'super-admin',"
            " '{dashboard}')",
            (stale, world["root"].id),
        )
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        await request(ws, {"type": "subscribe", "topics": ["dashboard"]})
        # When a submission is broadcast
        assessment_id = await _submit(http, world["admin"], world, "+2250700000002")
        await until(ws, _is_about(assessment_id), timeout_s=2)
        # Then the post to the stale connection answered 410 and its row is gone; the live one stays
        await _relay_idle(live)
        left = _connection_ids(db)
        assert stale not in left
        assert len(left) == 1


async def test_a_throttled_post_is_retried_and_the_subscriber_hears_once(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a management API that throttles the first post (429 LimitExceededException, as API Gateway does past
    # its rate)
    sockets = live.platform.websockets
    answer = sockets._manage
    posts: list[int] = []

    async def throttling_the_first_post(scope: Any, receive: Any, connection_id: str) -> tuple[int, str, bytes]:
        if scope["method"] == "POST" and not posts:
            posts.append(429)
            return 429, "LimitExceededException", b'{"message":"Too Many Requests"}'
        status, error, body = await answer(scope, receive, connection_id)
        posts.append(status)
        return status, error, body

    monkeypatch.setattr(sockets, "_manage", throttling_the_first_post)
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        await request(ws, {"type": "subscribe", "topics": ["dashboard"]})
        # When a submission is broadcast
        assessment_id = await _submit(http, world["admin"], world, "+2250700000004")
        # Then the post is tried again after a backoff, and the subscriber hears of it once
        await until(ws, _is_about(assessment_id), timeout_s=10)
        assert await request(ws, {"type": "ping"}) == {"type": "pong"}
    assert posts == [429, 200]


async def test_a_client_that_drops_its_socket_loses_its_connection_row(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        await request(ws, {"type": "subscribe", "topics": ["dashboard"]})
        assert _connection_count(db) == 1
        ws.transport.abort()  # no close frame: the TCP connection just ends
    assessment_id = await _submit(http, world["admin"], world, "+2250700000003")
    await _relay_idle(live)
    assert _connection_count(db) == 0
    assert assessment_id


def _connection_ids(db: Database) -> list[str]:
    with db.transaction() as conn:
        return [r["connection_id"] for r in conn.execute("SELECT connection_id FROM ws_connections")]


def _connection_count(db: Database) -> int:
    return len(_connection_ids(db))


async def _relay_idle(live: Live) -> None:
    """Run the relay once more on this thread, as the sweep does, and make sure that whichever relay pushed the
    dashboard (this one, or one kicked after the commit, in the background) has committed."""
    from functions.outbox_relay import run

    def wait_for_the_push() -> None:
        # The pusher holds this lock until its transaction (posts, and deletions of gone connections) commits.
        with current_runtime().db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('ws-topic' || chr(31) || 'dashboard', 0))")

    await asyncio.to_thread(wait_for_the_push)
    await asyncio.to_thread(run, current_runtime(), {"source": "test"})
    await asyncio.to_thread(wait_for_the_push)  # a kicked relay that held the topic while this one ran


async def test_an_enumerator_hears_only_of_what_they_entered(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    enumerator = await invite_and_signup(http, world["admin"], "field@example.org", "enumerator")
    their_token = await _token(http, enumerator)
    ticket = await live.ticket(http, their_token)
    async with live.connect(ticket) as ws:
        await request(ws, {"type": "subscribe", "topics": ["dashboard"]})
        others = await _submit(http, world["admin"], world, "+2250700000004")
        theirs = await _submit(http, their_token, world, "+2250700000005")
        delta = await until(ws, _is_about(theirs), timeout_s=3)
        assert others not in json.dumps(delta)
        assert delta["submissions"] == len(delta["assessments"])


async def test_an_exports_event_reaches_its_owner_only(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    analyst = await invite_and_signup(http, world["admin"], "analyst@example.org", "analyst")
    owner_ws_ticket = await live.ticket(http, await _token(http, analyst))
    other_ticket = await live.ticket(http, world["admin"])
    async with live.connect(owner_ws_ticket) as owner, live.connect(other_ticket) as other:
        await request(owner, {"type": "subscribe", "topics": ["exports"]})
        await request(other, {"type": "subscribe", "topics": ["exports", "dashboard"]})
        export_id = str(uuid.uuid4())
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox (event_type, aggregate_id, payload) VALUES ('export.progress', %s, %s)",
                (export_id, Jsonb({"export_id": export_id, "owner_id": analyst.id, "done": 500, "total": 1000})),
            )
        kick_relay(current_runtime(), "test")
        message = await receive_json(owner, 3)
        assert message["type"] == "export.progress"
        assert (message["export_id"], message["done"], message["total"]) == (export_id, 500, 1000)
        assert "owner_id" not in message
        assert await request(other, {"type": "ping"}) == {"type": "pong"}  # nothing else was waiting for them


async def test_the_management_api_answers_as_api_gateway_does(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    api = boto3.client(
        "apigatewaymanagementapi", endpoint_url=current_runtime().settings.websocket_management_url,
        region_name="us-east-1",
    )  # fmt: skip
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId="NoSuchConn00000=", Data=b"{}")
    unsigned = await http.post("/ws-management/@connections/NoSuchConn00000=", content=b"{}")
    assert unsigned.status_code == 403

    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        # The client offered per-message deflate (websockets does by default); posts go out uncompressed.
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        (connection_id,) = _connection_ids(db)
        described = await asyncio.to_thread(api.get_connection, ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        assert described["ConnectedAt"] <= described["LastActiveAt"]

        await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert await receive_json(ws) == {"type": "hello"}
        with pytest.raises(api.exceptions.PayloadTooLargeException):
            await asyncio.to_thread(api.post_to_connection, ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))
        assert await request(ws, {"type": "ping"}) == {"type": "pong"}  # nothing of it was sent

        await asyncio.to_thread(api.delete_connection, ConnectionId=connection_id)
        await asyncio.wait_for(ws.wait_closed(), 5)
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=connection_id, Data=b"{}")


async def test_each_post_is_a_billed_message_of_the_relay(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    from functions import outbox_relay
    from local.lambda_runtime import FunctionSpec, LambdaContext
    from shared.runtime import runtime_with
    from shared.runtime.meter import Component
    from tests.fakes import RecordingLedger

    tickets = [await live.ticket(http, world["admin"]) for _ in range(2)]
    async with live.connect(tickets[0]) as first, live.connect(tickets[1]) as second:
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox (event_type, aggregate_id, payload) VALUES ('export.ready', 'x', %s)",
                (Jsonb({"export_id": "x", "owner_id": world["root"].id}),),
            )
        ledger = RecordingLedger()
        with runtime_with(ledger=ledger):
            context = LambdaContext(FunctionSpec("Relay", "functions.outbox_relay"))
            await asyncio.to_thread(outbox_relay.handler, {"source": "test"}, context)
        for ws in (first, second):
            assert (await receive_json(ws))["type"] == "export.ready"
    (invocation,) = ledger.invocations
    assert invocation.usage.counts[Component.WEBSOCKET_MESSAGE] == 2
