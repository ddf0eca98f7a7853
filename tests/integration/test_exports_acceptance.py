"""The scenario of the exports issue, through HTTP end to end: export 1,000 assessments, share the file with a
link, follow it without a token, download the file from S3 (moto's server, over HTTP), open it with
openpyxl and compare rows and scores with the API; revoke the link (410); find a formula-like answer as
plain text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from shared.db import Database
from tests.integration.auth_helpers import bearer
from tests.integration.export_helpers import (
    HYPERLINK,
    exports_world,
    header_index,
    outbox,
    relay_export_requests,
    submit_many,
    workbook,
)

COUNT = 1000


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


async def test_a_thousand_assessments_exported_shared_downloaded_and_revoked(
    api: httpx.AsyncClient, db: Database
) -> None:
    world = await exports_world(api, db)
    analyst = world["tokens"]["analyst"]
    await submit_many(api, world, COUNT, comment_of={417: HYPERLINK})

    # An analyst asks for the export; the relay hands the event to the worker.
    created = await api.post("/api/v1/exports", json={"kind": "assessments", "filters": {}}, headers=bearer(analyst))
    assert created.status_code == 202, created.text
    export_id = created.json()["export_id"]
    assert created.json()["status"] == "pending"
    [requested] = outbox(db, "export.requested")
    assert requested["payload"] == {"export_id": export_id, "owner_id": world["ids"]["analyst"], "kind": "assessments"}
    assert relay_export_requests(db) == [{"export_id": export_id, "status": "ready", "rows": COUNT}]
    export = (await api.get(f"/api/v1/exports/{export_id}", headers=bearer(analyst))).json()
    assert (export["status"], export["rows"], export["rows_total"]) == ("ready", COUNT, COUNT)
    progress = [e["payload"] for e in outbox(db, "export.progress", "export.ready")]
    owner = world["ids"]["analyst"]
    assert progress[0] == {"export_id": export_id, "owner_id": owner, "rows_done": 0, "rows_total": COUNT}
    assert progress[-1] == {"export_id": export_id, "owner_id": owner, "rows_done": COUNT, "rows_total": COUNT}

    # A share link, followed without any token, leads to the file in S3.
    link = await api.post(f"/api/v1/exports/{export_id}/links", json={"expires_in": 3600, "max_downloads": 5},
                          headers=bearer(analyst))  # fmt: skip
    assert link.status_code == 201, link.text
    url = link.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/api/v1/d/")
    path = urlsplit(url).path
    followed = await api.get(path)
    assert followed.status_code == 303, followed.text
    location = followed.headers["location"]
    downloaded = httpx.get(location)
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == export["sha256"]
    assert len(downloaded.content) == export["bytes"]
    assert downloaded.headers["content-disposition"] == f'attachment; filename="{export["filename"]}"'

    # The file holds what the API holds: the same assessments, in the same order, with the same scores.
    book = workbook(downloaded.content)
    assert book.sheetnames == ["Assessments", "Codebook", "About"]
    sheet = book["Assessments"]
    columns = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    api_items = await _all_assessments(api, analyst)
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
    revoked = await api.delete(f"/api/v1/exports/{export_id}/links/{link.json()['id']}", headers=bearer(analyst))
    assert revoked.status_code == 204
    gone = await api.get(path)
    assert gone.status_code == 410
    once = (await api.post(f"/api/v1/exports/{export_id}/links", json={"max_downloads": 1},
                           headers=bearer(analyst))).json()  # fmt: skip
    once_path = urlsplit(once["url"]).path
    assert (await api.get(once_path)).status_code == 303
    used_up = await api.get(once_path)
    assert used_up.status_code == 410
    assert (
        used_up.json()
        == gone.json()
        == {"error": {"code": "gone", "message": "This link is no longer valid.", "details": None}}
    )
    unknown = await api.get("/api/v1/d/" + "A" * 43)
    assert unknown.status_code == 404
    links = (await api.get(f"/api/v1/exports/{export_id}/links", headers=bearer(analyst))).json()["items"]
    assert sorted((x["status"], x["downloads"]) for x in links) == [("revoked", 1), ("used_up", 1)]


def utc_wall_clock(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC).replace(tzinfo=None)
