"""Exports in tests: a world with many submitted assessments, delivering ``export.requested`` events to the
worker through the outbox relay, and reading outbox events back."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from typing import Any

import httpx
import openpyxl
import pytest

from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.auth import repository
from shared.db import Database
from shared.runtime import runtime_with
from tests.fakes import RecordingInvoker
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
    """Run the outbox relay (functions.outbox_relay) once on this thread, with an invoker that records the
    workers it starts, then each of those workers with the payload the relay gave it, as Lambda would.
    Returns what the workers answered. (Tests that run it install a recording invoker for the whole test, so
    that no relay runs in the background: see ``quiet_invoker``.)"""
    from functions import exports_worker, outbox_relay

    invoker = RecordingInvoker()
    with runtime_with(invoker=invoker) as rt:
        outbox_relay.run(rt, {"source": "test"})
    return [
        exports_worker.handler(payload, LambdaContext(WORKER))
        for job, payload in invoker.invokes
        if job == "exports-worker"
    ]


@pytest.fixture
def quiet_invoker(api: httpx.AsyncClient) -> Iterator[RecordingInvoker]:
    """The runtime's invoker records the relay's kicks instead of running the relay in the background, so
    that a test decides when events are delivered (``relay_export_requests``)."""
    invoker = RecordingInvoker()
    with runtime_with(invoker=invoker):
        yield invoker


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def header_index(sheet: Any) -> dict[str, int]:
    return {cell.value: i for i, cell in enumerate(next(sheet.iter_rows(max_row=1)))}
