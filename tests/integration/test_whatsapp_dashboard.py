"""WhatsApp sessions in the live dashboard, through the local platform as `make dev` serves it: every conversation
that reached a question feeds the per-question funnel of GET /api/v1/dashboard/summary exactly once (completed
ones through their submission, abandoned ones when the idle job closes them, ones left to an enumerator when they
end, those that ended before that by migration 0021), and a completion reaches dashboard subscribers over the
WebSocket API."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from psycopg.types.json import Jsonb

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.dashboard import repository as dashboard
from shared.db import Database
from shared.db.migrate import migrate
from tests.integration.auth_helpers import bearer, login_tokens, signup_first
from tests.integration.live_platform import Live, http, live, request, until
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.whatsapp_helpers import WhatsAppUser

__all__ = ["http", "live"]  # fixtures


@pytest.fixture
async def world(http: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    add_test_sectors(db)
    admin = str((await login_tokens(http, await signup_first(http)))["access_token"])
    return {"admin": admin, **await publish_small(http, admin)}


async def converse(api: httpx.AsyncClient, phone: str, *messages: str) -> str:
    user = WhatsAppUser(api, phone)
    reply = ""
    for message in messages:
        reply = await user.send(message)
    return reply


def close_idle(db: Database, *phones: str) -> dict[str, Any]:
    from functions import whatsapp_close_idle

    with db.transaction() as conn:
        conn.execute(
            "UPDATE whatsapp_conversations SET updated_at = now() - interval '23 hours 1 minute'"
            " WHERE phone = ANY(%s) AND status = 'active'",
            (list(phones),),
        )
    return whatsapp_close_idle.handler({}, LambdaContext(FunctionSpec("WhatsappCloseIdleJob", "functions.x")))


async def funnel(api: httpx.AsyncClient, world: dict[str, Any]) -> dict[str, tuple[int, int]]:
    response = await api.get(
        f"/api/v1/dashboard/summary?questionnaire_version_id={world['version_id']}", headers=bearer(world["admin"])
    )
    assert response.status_code == 200, response.text
    return {f["code"]: (f["reached"], f["answered"]) for f in response.json()["funnel"]}


async def test_whatsapp_sessions_feed_the_funnel_exactly_once_each(
    http: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    # Completed: every question reached and answered (has_phone yes shows apps).
    done = await converse(http, "+254700000031", "hi", "yes", "Awa", "1", "1", "1,2", "4", "7", "fine")
    assert "Your results" in done
    # Abandoned on Q3 after two answers; and one opted out on Q2 (apps hidden by "no"), after one answer.
    await converse(http, "+254700000032", "hi", "yes", "Kofi", "1", "1", "1,2")
    await converse(http, "+254700000033", "hi", "yes", "Ama", "1", "2", "stop")
    # Left to an enumerator: has_phone never answered (apps hidden), the rest answered.
    ended = await converse(http, "+254700000034", "hi", "yes", "Esi", "1", "x", "x", "x", "3", "5", "ok")
    assert "enumerator" in ended
    # Still under way: not counted until it ends.
    await converse(http, "+254700000035", "hi", "yes", "Yaw", "1", "1")

    before_idle = await funnel(http, world)
    assert before_idle == {
        "has_phone": (2, 1), "apps": (1, 1), "confidence": (2, 2), "sums": (2, 2), "comment": (2, 2),
    }  # fmt: skip

    assert close_idle(db, "+254700000032", "+254700000033") == {"closed": 2}
    expected = {
        "has_phone": (4, 3), "apps": (2, 2), "confidence": (4, 2), "sums": (2, 2), "comment": (2, 2),
    }  # fmt: skip
    assert await funnel(http, world) == expected
    assert close_idle(db) == {"closed": 0}  # closed once, counted once
    dashboard.fold(db)
    assert await funnel(http, world) == expected  # folded or not, the same figures
    assert (await http.get("/api/v1/dashboard/summary", headers=bearer(world["admin"]))).json()["by_channel"] == [
        {"channel": "whatsapp", "count": 1}
    ]


async def test_a_whatsapp_completion_reaches_dashboard_subscribers(
    live: Live, http: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    ticket = await live.ticket(http, world["admin"])
    async with live.connect(ticket) as ws:
        subscribed = await request(ws, {"type": "subscribe", "topics": ["dashboard"]})
        assert subscribed == {"type": "subscribed", "topics": ["dashboard"]}

        done = await converse(http, "+254700000036", "hi", "yes", "Awa", "2", "1", "1,2", "4", "7", "fine")
        assert "Your results" in done
        stored = db.fetch_one("SELECT id FROM assessments")
        assert stored is not None
        assessment_id = str(stored["id"])

        delta = await until(
            ws,
            lambda m: (
                m.get("type") == "dashboard.delta"
                and any(a["assessment_id"] == assessment_id for a in m["assessments"])
            ),
            timeout_s=2,
        )
        assert [(a["sector"], a["channel"]) for a in delta["assessments"] if a["assessment_id"] == assessment_id] == [
            ("ict", "whatsapp")
        ]
        assert delta["by_channel"]["whatsapp"] >= 1


def test_conversations_that_ended_before_the_funnel_counted_them_are_counted_once(fresh_database: str) -> None:
    from local.seed import seed

    migrate(fresh_database, through=20)  # the schema as it was before migration 0021
    seed(fresh_database)
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        version, first, second, third = (
            r[0]
            for r in conn.execute(
                "(SELECT id FROM questionnaire_versions WHERE status = 'published')"
                " UNION ALL (SELECT q.id FROM questions q JOIN questionnaire_versions v ON v.id = q.version_id"
                " WHERE v.status = 'published' ORDER BY q.position LIMIT 3)"
            ).fetchall()
        )
        conn.execute("INSERT INTO whatsapp_contacts (phone) VALUES ('+254700000041'), ('+254700000042')")
        for phone, status, ended in (("+254700000041", "abandoned", "now()"), ("+254700000042", "active", "NULL")):
            state = {"stage": "question", "question": str(third), "answers": {str(first): "a", str(second): "b"}}
            conn.execute(
                "INSERT INTO whatsapp_conversations (id, phone, status, version_id, state, current_question_id,"
                f" answered, ended_at) VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, 2, {ended})",
                (phone, status, version, Jsonb(state), third),
            )

    migrate(fresh_database, through=21)

    with psycopg.connect(fresh_database) as conn:
        deltas = conn.execute("SELECT version_id, channel, reached, answered FROM dashboard_deltas").fetchall()
    assert [(v, c, sorted(r), sorted(a)) for v, c, r, a in deltas] == [
        (version, "whatsapp", sorted([first, second, third]), sorted([first, second]))
    ]

    migrate(fresh_database)  # what follows folds it (0042), once
    with psycopg.connect(fresh_database) as conn:
        funnel = conn.execute(
            "SELECT question_id, reached, answered FROM dashboard_funnel WHERE version_id = %s", (version,)
        ).fetchall()
        assert conn.execute("SELECT count(*) FROM dashboard_deltas").fetchone() == (0,)
    assert sorted(funnel) == sorted([(first, 1, 1), (second, 1, 1), (third, 1, 0)])
