"""The scenario of the exports issue, end to end on the local platform as `make dev` serves it (uvicorn, real
HTTP and WebSocket clients): export 1,000 assessments while the owner's WebSocket hears its progress and
readiness through the outbox relay, share the file with a link, follow it without a token, download the file
from S3 (moto's server, over HTTP), open it with openpyxl and compare rows and scores with the API; revoke the
link (410); find a formula-like answer as plain text."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.db import Database
from shared.exports import sheets, worker
from tests.integration.auth_helpers import bearer
from tests.integration.export_helpers import HYPERLINK, exports_world, header_index, outbox, submit_many, workbook
from tests.integration.live_platform import Live, http, live, receive_json

__all__ = ["http", "live"]  # fixtures

COUNT = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STEP = 250  # progress every 250 rows (the default is every 5% of the rows, at least 1,000)


async def _all_assessments(api: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/api/v1/assessments", params=params, headers=bearer(token))).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def _until_ready(ws: Any, export_id: str, timeout_s: float) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The export's progress messages and its ready (or failed) message, however the relays interleave them:
    every progress step is waited for, as is the end."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    progress: list[dict[str, Any]] = []
    end: dict[str, Any] | None = None
    while end is None or {m["done"] for m in progress} != set(range(0, COUNT, STEP)):
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"within {timeout_s} s: progress {progress}, end {end}"
        message = await receive_json(ws, left)
        if message.get("export_id") != export_id:
            continue
        if message["type"] == "export.progress":
            progress.append(message)
        elif message["type"] in ("export.ready", "export.failed"):
            end = message
    return progress, end


async def test_a_thousand_assessments_exported_shared_downloaded_and_revoked(
    live: Live, http: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "BATCH_ROWS", STEP)
    monkeypatch.setattr(worker, "MIN_PROGRESS_ROWS", STEP)
    world = await exports_world(http, db)
    analyst = world["tokens"]["analyst"]
    owner = world["ids"]["analyst"]
    await submit_many(http, world, COUNT, comment_of={417: HYPERLINK})

    # The analyst's browser holds a WebSocket; the analyst asks for the export. The relay, kicked after the
    # commit, starts the worker; the worker's progress and readiness reach the WebSocket through the relay.
    async with live.connect(await live.ticket(http, analyst)) as ws:
        created = await http.post("/api/v1/exports", json={"kind": "assessments", "filters": {}},
                                  headers=bearer(analyst))  # fmt: skip
        assert created.status_code == 202, created.text
        assert set(created.json()) == {"export_id", "status"}
        export_id = created.json()["export_id"]
        assert created.json()["status"] == "pending"
        progress, end = await _until_ready(ws, export_id, 120)
    assert end["type"] == "export.ready", end
    assert (end["done"], end["total"]) == (COUNT, COUNT)
    assert {(m["done"], m["total"]) for m in progress} == {(done, COUNT) for done in range(0, COUNT, STEP)}
    assert all("owner_id" not in m and m["event_id"] for m in [*progress, end])
    [requested] = outbox(db, "export.requested")
    assert requested["payload"] == {"export_id": export_id, "owner_id": owner, "kind": "assessments"}
    assert requested["dispatched_at"] is not None
    export = (await http.get(f"/api/v1/exports/{export_id}", headers=bearer(analyst))).json()
    assert (export["status"], export["rows"], export["rows_total"]) == ("ready", COUNT, COUNT)

    # A share link, followed without any token by a client of its own, leads to the file in S3.
    link = await http.post(f"/api/v1/exports/{export_id}/links", json={"expires_in": 3600, "max_downloads": 5},
                           headers=bearer(analyst))  # fmt: skip
    assert link.status_code == 201, link.text
    assert set(link.json()) == {"id", "url", "expires_at", "max_downloads", "downloads"}
    url = link.json()["url"]
    assert url.startswith(live.base_url + "/api/v1/d/")
    async with httpx.AsyncClient(timeout=10) as stranger:
        followed = await stranger.get(url)
        assert followed.status_code == 303, followed.text
        downloaded = await stranger.get(followed.headers["location"])  # moto's S3, over HTTP
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == export["sha256"]
    assert len(downloaded.content) == export["bytes"]
    assert downloaded.headers["content-disposition"] == f'attachment; filename="{export["filename"]}"'
    assert downloaded.headers["content-type"] == XLSX

    # The file holds what the API holds: the same assessments, in the same order, with the same scores.
    book = workbook(downloaded.content)
    assert book.sheetnames == ["Assessments", "Codebook", "About"]
    sheet = book["Assessments"]
    columns = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    api_items = await _all_assessments(http, analyst)
    assert len(rows) == len(api_items) == COUNT
    assert [r[columns["Assessment ID"]] for r in rows] == [a["id"] for a in api_items]
    for row, item in zip(rows, api_items, strict=True):
        assert {"digital": row[columns["Digital (digital) score"]],
                "numeracy": row[columns["Numeracy (numeracy) score"]]} == item["scores"]  # fmt: skip
        assert row[columns["Respondent"]] == item["respondent_name"]
        # Excel keeps times to the millisecond.
        assert abs(row[columns["Submitted at (UTC)"]] - utc_wall_clock(item["submitted_at"])) < timedelta(
            milliseconds=1
        )

    # The answer that looks like a formula is there as plain text, not as a formula.
    found = [c for line in sheet.iter_rows(min_row=2) for c in line if c.value == HYPERLINK]
    assert len(found) == 1
    assert found[0].data_type == "s"
    assert found[0].quotePrefix
    assert all(c.data_type != "f" for line in sheet.iter_rows() for c in line)

    # Revoked: 410, with a body that does not say why; a used-up link answers the very same.
    revoked = await http.delete(f"/api/v1/exports/{export_id}/links/{link.json()['id']}", headers=bearer(analyst))
    assert revoked.status_code == 204
    gone = await http.get(url)
    assert gone.status_code == 410
    once = (await http.post(f"/api/v1/exports/{export_id}/links", json={"max_downloads": 1},
                           headers=bearer(analyst))).json()  # fmt: skip
    assert (await http.get(once["url"])).status_code == 303
    used_up = await http.get(once["url"])
    assert used_up.status_code == 410
    assert (
        used_up.json()
        == gone.json()
        == {"error": {"code": "gone", "message": "This link is no longer valid.", "details": None}}
    )
    unknown = await http.get("/api/v1/d/" + "A" * 43)
    assert unknown.status_code == 404
    links = (await http.get(f"/api/v1/exports/{export_id}/links", headers=bearer(analyst))).json()["items"]
    assert sorted((x["status"], x["downloads"]) for x in links) == [("revoked", 1), ("used_up", 1)]


def utc_wall_clock(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC).replace(tzinfo=None)
