"""Exports in tests: a world with many submitted assessments, delivering ``export.requested`` events to the
worker as the outbox relay does ({"event_id", "event_type", "payload"}), and reading outbox events back."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import openpyxl

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.auth import repository
from shared.db import Database
from tests.integration.auth_helpers import bearer, login_tokens, mint_pair, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.test_submissions import body

HYPERLINK = '=HYPERLINK("http://x","y")'
WORKER = FunctionSpec("ExportsWorkerJob", "functions.exports_worker", 1769, 900)


async def exports_world(api: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    """A published questionnaire, a super-admin, two analysts, an enumerator and a finance user (tokens).
    Only the first signs up through the API; the others are written straight in (no password hashing)."""
    add_test_sectors(db)
    root = await signup_first(api)
    admin = str((await login_tokens(api, root))["access_token"])
    published = await publish_small(api, admin)
    tokens = {"admin": admin}
    ids = {"admin": root.id}
    with db.transaction() as conn:
        password_hash = conn.execute("SELECT password_hash FROM users WHERE id = %s", (root.id,)).fetchone()
        assert password_hash is not None
        people = {
            name: repository.insert_user(conn, f"{name}@example.org", "", password_hash["password_hash"], role).id
            for name, role in (("analyst", "analyst"), ("other", "analyst"), ("enum", "enumerator"),
                               ("finance", "finance"))
        }  # fmt: skip
    for name, user_id in people.items():
        tokens[name] = mint_pair(db, str(user_id))["access"]
        ids[name] = str(user_id)
    return {"tokens": tokens, "ids": ids, "published": published}


async def submit_many(
    api: httpx.AsyncClient, world: dict[str, Any], count: int, *, start: int = 0,
    comment_of: dict[int, str] | None = None, who: str = "admin",
) -> list[dict[str, Any]]:  # fmt: skip
    """``count`` submissions, a few at a time; the n-th answers ``comment_of[n]`` to the text question."""
    comment_of = comment_of or {}
    results: list[dict[str, Any]] = []

    async def one(n: int) -> dict[str, Any]:
        payload = body(world["published"], f"+22507{n:08d}", sums=n % 11, confidence=1 + n % 5,
                       comment=comment_of.get(n, f"note {n}"))  # fmt: skip
        payload["respondent"]["sector"] = "ict" if n % 3 else "agri"
        response = await api.post(
            "/api/v1/assessments/submit", json=payload,
            headers=bearer(world["tokens"][who]) | {"Idempotency-Key": f"bulk-{n}"},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        return dict(response.json())

    for first in range(start, start + count, 8):
        results += await asyncio.gather(*(one(n) for n in range(first, min(first + 8, start + count))))
    return results


def outbox(db: Database, *types: str) -> list[dict[str, Any]]:
    with db.transaction(read_only=True) as conn:
        return conn.execute(
            "SELECT id, event_type, aggregate_id, payload, dispatched_at FROM outbox"
            " WHERE event_type = ANY(%s) ORDER BY created_at, id",
            (list(types),),
        ).fetchall()


def relay_export_requests(db: Database) -> list[dict[str, Any]]:
    """Deliver every undelivered ``export.requested`` event to the worker, as the relay will, and mark it
    delivered. Returns what the worker answered to each."""
    from functions import exports_worker

    answers = []
    for row in outbox(db, "export.requested"):
        if row["dispatched_at"] is not None:
            continue
        event = {"event_id": str(row["id"]), "event_type": row["event_type"], "payload": row["payload"]}
        answers.append(exports_worker.handler(event, LambdaContext(WORKER)))
        with db.transaction() as conn:
            conn.execute("UPDATE outbox SET dispatched_at = now() WHERE id = %s", (row["id"],))
    return answers


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def header_index(sheet: Any) -> dict[str, int]:
    return {cell.value: i for i, cell in enumerate(next(sheet.iter_rows(max_row=1)))}
