"""Exports through the API: who may export what and see whose, what each kind of workbook holds, downloads
and share links (expiry, revocation, limits, rate limit, audit), and the worker's runs: once per export,
stopped before its timeout, failed when the bucket fails, made at once when small."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest

from functions import exports_worker, housekeeping
from local.lambda_runtime import FunctionSpec, LambdaContext
from shared.db import Database
from shared.exports import sheets, worker
from shared.runtime import current_runtime, runtime_with
from tests.fakes import FailingStorage, SteppingClock
from tests.integration.auth_helpers import bearer
from tests.integration.export_helpers import (
    HYPERLINK,
    WORKER,
    exports_world,
    header_index,
    outbox,
    quiet_invoker,
    relay_export_requests,
    submit_many,
    workbook,
)
from tests.presigned import parse, verdict

__all__ = ["quiet_invoker"]  # fixtures

SUBMITTED = 12
pytestmark = pytest.mark.usefixtures("quiet_invoker")  # the relay runs when a test says so


@pytest.fixture
async def world(api: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    world = await exports_world(api, db)
    world["submitted"] = await submit_many(api, world, SUBMITTED, comment_of={3: HYPERLINK, 4: "+225 07 00"})
    return world


async def _export(api: httpx.AsyncClient, token: str, kind: str = "assessments", **filters: Any) -> str:
    created = await api.post("/api/v1/exports", json={"kind": kind, "filters": filters}, headers=bearer(token))
    assert created.status_code == 202, created.text
    return str(created.json()["export_id"])


async def _made(api: httpx.AsyncClient, db: Database, token: str, kind: str = "assessments", **filters: Any) -> dict:
    export_id = await _export(api, token, kind, **filters)
    relay_export_requests(db)
    export = (await api.get(f"/api/v1/exports/{export_id}", headers=bearer(token))).json()
    assert export["status"] == "ready", export
    return dict(export)


async def _file(api: httpx.AsyncClient, token: str, export_id: str) -> Any:
    redirect = await api.get(f"/api/v1/exports/{export_id}/download", headers=bearer(token))
    assert redirect.status_code == 303, redirect.text
    return workbook(httpx.get(redirect.headers["location"]).content)


def _counts(db: Database) -> dict[str, int]:
    with db.transaction(read_only=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM exports) AS exports, (SELECT count(*) FROM outbox WHERE event_type"
            " LIKE 'export.%%') AS events, (SELECT count(*) FROM export_links) AS links"
        ).fetchone()
    assert row is not None
    return dict(row)


# -- asking for an export ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"kind": "everything"}, "body.kind"),
        ({"kind": "assessments", "filters": {"colour": "red"}}, "body.filters.colour"),
        ({"kind": "assessments", "filters": {"since": "yesterday"}}, "body.filters.since"),
        ({"kind": "assessments", "filters": {"until": "2026-13-01T00:00:00Z"}}, "body.filters.until"),
        ({"kind": "assessments", "filters": {"since": "2026-01-01T00:00:00"}}, "body.filters.since"),
        ({"kind": "answers", "filters": {"since": 1767225600}}, "body.filters.since"),
        ({"kind": "costs", "filters": {"to": "0.5"}}, "body.filters.to"),
        ({"kind": "answers", "filters": {"channel": "fax"}}, "body.filters.channel"),
        ({"kind": "costs", "filters": {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}},
         "body.filters.from"),
        ({"kind": "costs", "filters": {"since": "2026-01-01T00:00:00Z"}}, "body.filters.since"),
        ({"kind": "assessments", "filters": [], "extra": 1}, "body.filters"),
    ],
)  # fmt: skip
async def test_bad_requests_name_the_field_and_change_nothing(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any], body: dict[str, Any], path: str
) -> None:
    token = world["tokens"]["admin"]
    response = await api.post("/api/v1/exports", json=body, headers=bearer(token))
    assert response.status_code == 422, response.text
    assert path in [d["path"] for d in response.json()["error"]["details"]]
    assert _counts(db) == {"exports": 0, "events": 0, "links": 0}


async def test_each_kind_needs_its_permission(api: httpx.AsyncClient, db: Database, world: dict[str, Any]) -> None:
    tokens = world["tokens"]
    allowed = [("analyst", "assessments"), ("analyst", "answers"), ("finance", "costs"), ("admin", "costs")]
    refused = [("finance", "assessments"), ("finance", "answers"), ("analyst", "costs")]
    for who, kind in allowed:
        response = await api.post("/api/v1/exports", json={"kind": kind}, headers=bearer(tokens[who]))
        assert response.status_code == 202, (who, kind, response.text)
    for who, kind in refused:
        response = await api.post("/api/v1/exports", json={"kind": kind}, headers=bearer(tokens[who]))
        assert response.status_code == 403, (who, kind, response.text)
    enumerator = await api.post("/api/v1/exports", json={"kind": "assessments"}, headers=bearer(tokens["enum"]))
    assert enumerator.status_code == 403
    assert _counts(db)["exports"] == len(allowed)


async def test_an_export_is_its_owners_and_super_admin_sees_all(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    tokens = world["tokens"]
    mine = await _export(api, tokens["analyst"])
    theirs = await _export(api, tokens["other"])
    relay_export_requests(db)
    listed = (await api.get("/api/v1/exports", headers=bearer(tokens["analyst"]))).json()["items"]
    assert [e["id"] for e in listed] == [mine]
    everything = (await api.get("/api/v1/exports", headers=bearer(tokens["admin"]))).json()["items"]
    assert {e["id"] for e in everything} == {mine, theirs}
    page = (await api.get("/api/v1/exports", params={"limit": 1}, headers=bearer(tokens["admin"]))).json()
    rest = (await api.get("/api/v1/exports", params={"limit": 1, "cursor": page["next_cursor"]},
                          headers=bearer(tokens["admin"]))).json()  # fmt: skip
    assert [page["items"][0]["id"], rest["items"][0]["id"]] == [theirs, mine]
    assert rest["next_cursor"] is None
    for path in (f"/api/v1/exports/{theirs}", f"/api/v1/exports/{theirs}/download", f"/api/v1/exports/{theirs}/links"):
        assert (await api.get(path, headers=bearer(tokens["analyst"]))).status_code == 404, path
    link = await api.post(f"/api/v1/exports/{theirs}/links", json={}, headers=bearer(tokens["analyst"]))
    assert link.status_code == 404
    assert (await api.get(f"/api/v1/exports/{theirs}/download", headers=bearer(tokens["admin"]))).status_code == 303


# -- what the workbooks hold ---------------------------------------------------------------------------------


async def test_the_assessments_workbook_follows_the_list_filters(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    [entered] = await submit_many(api, world, 1, start=900, who="enum")  # n=900: an agri respondent
    export = await _made(api, db, token, sector="agri")
    listed = (await api.get("/api/v1/assessments", params={"sector": "agri"}, headers=bearer(token))).json()["items"]
    book = await _file(api, token, export["id"])
    sheet = book["Assessments"]
    columns = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[columns["Assessment ID"]] for r in rows] == [a["id"] for a in listed]
    assert export["rows"] == len(listed) == SUBMITTED // 3 + 1
    assert {r[columns["Sector"]] for r in rows} == {"A"}  # the sector's label, not its code
    assert list(columns)[:11] == [
        "Assessment ID", "Submitted at (UTC)", "Started at (UTC)", "Respondent", "Sector", "Region", "Language",
        "Channel", "Questionnaire", "Version", "Entered by",
    ]  # fmt: skip
    assert list(columns)[11:] == [
        "Digital (digital) score", "Digital (digital) band", "Numeracy (numeracy) score", "Numeracy (numeracy) band",
        "Recommendations", "Do you have a phone? (has_phone)", "Which apps? (apps)", "How confident? (confidence)",
        "Right answers out of 10 (sums)", "Anything else? (comment)",
    ]  # fmt: skip
    first = rows[0]
    detail = (await api.get(f"/api/v1/assessments/{first[0]}", headers=bearer(token))).json()
    assert first[columns["Digital (digital) band"]] in {"Beginner", "Intermediate", "Advanced"}
    assert first[columns["Do you have a phone? (has_phone)"]] == "Yes"
    assert first[columns["Which apps? (apps)"]] == "WhatsApp; Email"
    answers = {a["code"]: a["value"] for a in detail["answers"]}
    assert first[columns["Right answers out of 10 (sums)"]] == answers["sums"]
    assert isinstance(first[columns["How confident? (confidence)"]], int)
    assert isinstance(first[columns["Submitted at (UTC)"]], datetime)
    assert first[columns["Recommendations"]].startswith("Digital: digital ")
    assert first[0] == entered["assessment_id"]
    assert first[columns["Entered by"]] == "enum@example.org"  # who entered it, when an enumerator did
    assert rows[1][columns["Entered by"]] is None
    assert book.sheetnames == ["Assessments", "Codebook", "About"]
    ws = book["Assessments"]
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A2", f"A1:U{len(rows) + 1}")


async def test_the_answers_workbook_has_a_row_per_answer_with_codes_and_labels(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token, "answers")
    book = await _file(api, token, export["id"])
    assert book.sheetnames == ["Answers", "Codebook", "About"]
    sheet = book["Answers"]
    columns = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=2))
    assert export["rows"] == len(rows) == SUBMITTED * 5
    by_code: dict[str, list[Any]] = {}
    for row in rows:
        by_code.setdefault(row[columns["Question code"]].value, []).append(row)
    apps = by_code["apps"][0]
    assert (apps[columns["Option codes"]].value, apps[columns["Option labels"]].value) == (
        "whatsapp; email",
        "WhatsApp; Email",
    )
    assert apps[columns["Answer"]].value is None
    assert by_code["sums"][0][columns["Answer"]].data_type == "n"
    comments = {r[columns["Answer"]].value: r[columns["Answer"]] for r in by_code["comment"]}
    assert comments[HYPERLINK].data_type == "s"
    assert comments[HYPERLINK].quotePrefix
    assert comments["+225 07 00"].quotePrefix
    assert 0 <= by_code["has_phone"][0][columns["Score (0-1)"]].value <= 1


async def test_the_codebook_and_about_explain_the_file(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token, channel="web")
    book = await _file(api, token, export["id"])
    codebook = [r for r in book["Codebook"].iter_rows(min_row=2, values_only=True)]
    items = [(r[2], r[3], r[4]) for r in codebook]
    assert items[:2] == [("skill", "digital", None), ("skill", "numeracy", None)]
    assert ("question", "apps", "digital") in items
    assert items.index(("question", "apps", "digital")) + 1 == items.index(("option", "whatsapp", "apps"))
    assert [i for i in items if i[0] == "band"] == [("band", "beginner", None), ("band", "intermediate", None),
                                                    ("band", "advanced", None)]  # fmt: skip
    assert sum(1 for i in items if i[0] == "recommendation") == 6
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Export"] == export["id"]
    assert about["Kind"] == "assessments"
    assert about["Filters"] == '{"channel": "web"}'
    assert about["Requested by"] == "analyst@example.org"
    assert isinstance(about["Requested at (UTC)"], datetime)
    assert about["Rows in Assessments"] == SUBMITTED
    assert about["Rows in Codebook"] == len(codebook)


async def test_finance_exports_the_cost_ledger(api: httpx.AsyncClient, db: Database, world: dict[str, Any]) -> None:
    token = world["tokens"]["finance"]
    export = await _made(api, db, token, "costs", route="POST /api/v1/assessments/submit")
    book = await _file(api, token, export["id"])
    assert book.sheetnames == ["Costs", "About"]
    sheet = book["Costs"]
    columns = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=2))
    assert export["rows"] == len(rows) == SUBMITTED
    assert {r[columns["Route"]].value for r in rows} == {"POST /api/v1/assessments/submit"}
    direct = rows[0][columns["Direct (USD)"]]
    assert direct.data_type == "n"
    assert direct.value > 0
    assert direct.number_format == "0.000000000000"
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert '"route": "POST /api/v1/assessments/submit"' in about["Filters"]
    assert '"from": ' in about["Filters"]  # the default period, resolved when asked for


# -- downloads and links -------------------------------------------------------------------------------------


async def test_a_download_is_a_five_minute_signed_url_for_the_named_file(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token)
    before = datetime.now(UTC).replace(microsecond=0)
    redirect = await api.get(f"/api/v1/exports/{export['id']}/download", headers=bearer(token))
    assert redirect.status_code == 303
    assert redirect.headers["cache-control"] == "no-store"
    url = redirect.headers["location"]
    presigned = parse(url)
    assert presigned.expires_s == 300
    assert before <= presigned.signed_at <= datetime.now(UTC)
    assert presigned.params["response-content-disposition"] == f'attachment; filename="{export["filename"]}"'
    assert presigned.params["response-content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert re.fullmatch(r"assessments-\d{8}-\d{6}-[0-9a-f]{8}\.xlsx", export["filename"])
    credentials = boto3.Session().get_credentials()
    assert credentials is not None
    secret = credentials.secret_key
    assert verdict(url, secret, presigned.signed_at + timedelta(seconds=299)) == "valid"
    assert verdict(url, secret, presigned.signed_at + timedelta(seconds=300)) == "expired"
    assert verdict(url.replace("X-Amz-Expires=300", "X-Amz-Expires=3600"), secret, presigned.signed_at) == (
        "bad-signature"
    )


async def test_a_browser_application_may_take_the_download_url_as_json(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token)
    answer = await api.get(
        f"/api/v1/exports/{export['id']}/download", params={"redirect": "false"}, headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    presigned = parse(body["url"])
    assert presigned.expires_s == 300
    assert presigned.params["response-content-disposition"] == f'attachment; filename="{export["filename"]}"'
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert abs((expires_at - (presigned.signed_at + timedelta(seconds=300))).total_seconds()) < 5
    refused = await api.get(
        f"/api/v1/exports/{export['id']}/download", params={"redirect": "maybe"}, headers=bearer(token)
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["path"] == "query.redirect"


async def test_not_ready_is_409_and_an_expired_file_is_gone(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    pending = await _export(api, token)
    for method, path in (("GET", "download"), ("POST", "links")):
        response = await api.request(method, f"/api/v1/exports/{pending}/{path}", json={}, headers=bearer(token))
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "export_not_ready"
    relay_export_requests(db)
    link = (await api.post(f"/api/v1/exports/{pending}/links", json={}, headers=bearer(token))).json()
    with db.transaction() as conn:
        conn.execute("UPDATE exports SET expires_at = now() - interval '1 second' WHERE id = %s", (pending,))
    assert (await api.get(f"/api/v1/exports/{pending}", headers=bearer(token))).json()["status"] == "expired"
    for method, path in (("GET", "download"), ("POST", "links")):
        response = await api.request(method, f"/api/v1/exports/{pending}/{path}", json={}, headers=bearer(token))
        assert response.status_code == 410, response.text
    assert (await api.get(urlsplit(link["url"]).path)).status_code == 410


async def test_links_expire_at_most_in_seven_days_and_never_after_the_file(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token)
    too_long = await api.post(f"/api/v1/exports/{export['id']}/links", json={"expires_in": 7 * 86400 + 1},
                              headers=bearer(token))  # fmt: skip
    assert too_long.status_code == 422
    assert too_long.json()["error"]["details"][0]["path"] == "body.expires_in"
    week = (await api.post(f"/api/v1/exports/{export['id']}/links", json={"expires_in": 7 * 86400},
                           headers=bearer(token))).json()  # fmt: skip
    assert datetime.fromisoformat(week["expires_at"]) - datetime.now(UTC) > timedelta(days=6, hours=23)
    assert len(urlsplit(week["url"]).path.rsplit("/", 1)[1]) == 43  # 256 bits, URL-safe base64
    with db.transaction() as conn:
        conn.execute("UPDATE exports SET expires_at = now() + interval '1 day' WHERE id = %s", (export["id"],))
    capped = (await api.post(f"/api/v1/exports/{export['id']}/links", json={"expires_in": 7 * 86400},
                             headers=bearer(token))).json()  # fmt: skip
    assert datetime.fromisoformat(capped["expires_at"]) - datetime.now(UTC) < timedelta(days=1)
    # Past its time, a link is gone; the token itself is nowhere in the database.
    with db.transaction() as conn:
        conn.execute("UPDATE export_links SET created_at = created_at - interval '1 minute',"
                     " expires_at = created_at - interval '1 second' WHERE id = %s", (week["id"],))  # fmt: skip
        stored = conn.execute("SELECT token_hash FROM export_links WHERE id = %s", (week["id"],)).fetchone()
    assert (await api.get(urlsplit(week["url"]).path)).status_code == 410
    assert stored is not None
    assert urlsplit(week["url"]).path.rsplit("/", 1)[1].encode() not in bytes(stored["token_hash"])
    listed = (await api.get(f"/api/v1/exports/{export['id']}/links", headers=bearer(token))).json()["items"]
    assert {x["id"]: x["status"] for x in listed}[week["id"]] == "expired"
    assert all("url" not in x for x in listed)


async def test_each_download_is_counted_and_audited_with_address_and_user_agent(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export = await _made(api, db, token)
    link = (await api.post(f"/api/v1/exports/{export['id']}/links", json={"max_downloads": 2},
                           headers=bearer(token))).json()  # fmt: skip
    path = urlsplit(link["url"]).path
    for _ in range(3):
        await api.get(path, headers={"User-Agent": "curl/8.5"})
    audit = (await api.get("/api/v1/audit", params={"action": "exports.link_download"},
                           headers=bearer(world["tokens"]["admin"]))).json()["items"]  # fmt: skip
    assert [(a["outcome"], a["details"]["downloads"]) for a in reversed(audit)] == [
        ("success", 1), ("success", 2), ("failure", 2)
    ]  # fmt: skip
    assert {(a["source_ip"], a["details"]["user_agent"], a["target_id"]) for a in audit} == {
        ("198.51.100.7", "curl/8.5", export["id"])
    }
    assert audit[0]["details"]["refused"] == "used_up"
    listed = (await api.get(f"/api/v1/exports/{export['id']}/links", headers=bearer(token))).json()["items"]
    assert (listed[0]["downloads"], listed[0]["status"]) == (2, "used_up")
    assert listed[0]["last_download_at"] is not None


async def test_the_public_route_is_rate_limited_per_address(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    rt = current_runtime()
    with runtime_with(settings=rt.settings.model_copy(update={"download_rate_per_minute": 3})):
        statuses = [
            (await api.get("/api/v1/d/" + "B" * 43, headers={"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(5)
        ]
        limited = await api.get("/api/v1/d/" + "B" * 43)
    # A client-set X-Forwarded-For does not change the address API Gateway saw.
    assert statuses == [404, 404, 404, 429, 429]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["error"]["code"] == "too_many_requests"


async def test_revoking_needs_the_export_and_its_link(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    tokens = world["tokens"]
    export = await _made(api, db, tokens["analyst"])
    other = await _made(api, db, tokens["analyst"])
    link = (await api.post(f"/api/v1/exports/{export['id']}/links", json={}, headers=bearer(tokens["analyst"]))).json()
    wrong_export = await api.delete(f"/api/v1/exports/{other['id']}/links/{link['id']}",
                                    headers=bearer(tokens["analyst"]))  # fmt: skip
    assert wrong_export.status_code == 404
    not_theirs = await api.delete(f"/api/v1/exports/{export['id']}/links/{link['id']}", headers=bearer(tokens["other"]))
    assert not_theirs.status_code == 404
    assert (await api.get(urlsplit(link["url"]).path)).status_code == 303
    for _ in range(2):  # revoking again changes nothing
        revoked = await api.delete(f"/api/v1/exports/{export['id']}/links/{link['id']}",
                                   headers=bearer(tokens["admin"]))  # fmt: skip
        assert revoked.status_code == 204
    assert (await api.get(urlsplit(link["url"]).path)).status_code == 410


# -- the worker ----------------------------------------------------------------------------------------------


async def test_a_repeated_or_foreign_event_changes_nothing(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    export_id = await _export(api, world["tokens"]["analyst"])
    [requested] = outbox(db, "export.requested")
    event = {"event_id": str(requested["id"]), "event_type": "export.requested", "payload": requested["payload"]}
    assert exports_worker.handler(event, LambdaContext(WORKER))["status"] == "ready"
    # Again, as the relay wraps it with its source this time.
    wrapped = {"source": "outbox", "event": {"id": str(requested["id"]), "event_type": "export.requested",
                                             "aggregate_id": export_id, "payload": requested["payload"]}}  # fmt: skip
    assert exports_worker.handler(wrapped, LambdaContext(WORKER)) == {"export_id": export_id, "skipped": "not pending"}
    for foreign in ({"event_type": "assessment.submitted", "payload": {}}, {"event_type": "export.requested"},
                    {"event_type": "export.requested", "payload": {"export_id": "x"}}):  # fmt: skip
        assert exports_worker.handler(foreign, LambdaContext(WORKER)) == {"skipped": "not an export.requested event"}
    assert len(outbox(db, "export.ready")) == 1


async def test_progress_is_reported_every_few_rows_as_it_goes(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "BATCH_ROWS", 2)
    monkeypatch.setattr(worker, "MIN_PROGRESS_ROWS", 4)
    export_id = await _export(api, world["tokens"]["analyst"])
    relay_export_requests(db)
    events = [(e["event_type"], e["payload"]["done"], e["payload"]["total"])
              for e in outbox(db, "export.progress", "export.ready")]  # fmt: skip
    assert events == [("export.progress", 0, 12), ("export.progress", 4, 12), ("export.progress", 8, 12),
                      ("export.ready", 12, 12)]  # fmt: skip
    assert {e["aggregate_id"] for e in outbox(db, "export.progress")} == {export_id}


async def test_a_run_that_would_outlast_its_timeout_stops_and_fails(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export_id = await _export(api, token)
    with runtime_with(clock=SteppingClock(datetime.now(UTC), timedelta(minutes=10))):
        relay_export_requests(db)
    export = (await api.get(f"/api/v1/exports/{export_id}", headers=bearer(token))).json()
    assert (export["status"], export["error"]) == ("failed", "The export did not finish in time.")
    [failed] = outbox(db, "export.failed")
    assert failed["payload"]["error"] == "The export did not finish in time."
    assert failed["payload"]["owner_id"] == world["ids"]["analyst"]


async def test_a_run_lambda_stopped_shows_failed_and_housekeeping_fails_it(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export_id = await _export(api, token)
    with db.transaction() as conn:  # as a worker leaves it when Lambda stops it at its timeout
        conn.execute("UPDATE exports SET status = 'running', started_at = now() - interval '16 minutes',"
                     " deadline_at = now() - interval '1 minute' WHERE id = %s", (export_id,))  # fmt: skip
    shown = (await api.get(f"/api/v1/exports/{export_id}", headers=bearer(token))).json()
    assert (shown["status"], shown["error"]) == ("failed", "The export did not finish in time.")
    swept = housekeeping.handler({}, LambdaContext(FunctionSpec("Housekeeping", "functions.housekeeping")))
    assert swept["deleted"]["overdue_exports"] == 1
    with db.transaction(read_only=True) as conn:
        row = conn.execute("SELECT status, finished_at FROM exports WHERE id = %s", (export_id,)).fetchone()
    assert row is not None
    assert row["status"] == "failed"
    assert row["finished_at"] is not None
    [failed] = outbox(db, "export.failed")  # for the owner's WebSocket
    assert failed["payload"] == {"export_id": export_id, "owner_id": world["ids"]["analyst"], "done": 0, "total": 0,
                                 "error": "The export did not finish in time."}  # fmt: skip
    assert relay_export_requests(db) == [{"export_id": export_id, "skipped": "not pending"}]


async def test_an_export_whose_upload_fails_is_failed(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    export_id = await _export(api, token)
    with runtime_with(storage=FailingStorage()):
        relay_export_requests(db)
    export = (await api.get(f"/api/v1/exports/{export_id}", headers=bearer(token))).json()
    assert (export["status"], export["error"], export["bytes"]) == ("failed", "The export failed.", None)
    assert len(outbox(db, "export.failed")) == 1


# -- at once -------------------------------------------------------------------------------------------------


async def test_a_small_assessments_xlsx_is_made_at_once(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    response = await api.get("/api/v1/exports/assessments.xlsx", params={"sector": "ict"}, headers=bearer(token))
    assert response.status_code == 303, response.text
    book = workbook(httpx.get(response.headers["location"]).content)
    assert book["Assessments"].max_row - 1 == SUBMITTED - SUBMITTED // 3
    [export] = (await api.get("/api/v1/exports", headers=bearer(token))).json()["items"]
    assert (export["status"], export["filters"], export["rows"]) == ("ready", {"sector": "ict"}, 8)
    assert outbox(db, "export.requested") == []
    bad = await api.get("/api/v1/exports/assessments.xlsx", params={"since": "not a time"}, headers=bearer(token))
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["path"] == "query.since"
    # As GET /api/v1/assessments takes them: RFC 3339 with a time zone, never a Unix time.
    for since in ("2000-01-01T00:00:00", "0.5", "946684800"):
        refused = await api.get("/api/v1/exports/assessments.xlsx", params={"since": since}, headers=bearer(token))
        assert refused.status_code == 422, since
    later = await api.get("/api/v1/exports/assessments.xlsx", params={"since": "2000-01-01T00:00:00+02:00"},
                          headers=bearer(token))  # fmt: skip
    assert later.status_code == 303
    newest = (await api.get("/api/v1/exports", params={"limit": 1}, headers=bearer(token))).json()["items"][0]
    assert (newest["filters"], newest["rows"], newest["rows_total"]) == ({"since": "2000-01-01T00:00:00+02:00"}, 12,
                                                                         12)  # fmt: skip


async def test_a_large_assessments_xlsx_becomes_an_export(
    api: httpx.AsyncClient, db: Database, world: dict[str, Any]
) -> None:
    token = world["tokens"]["analyst"]
    rt = current_runtime()
    with runtime_with(settings=rt.settings.model_copy(update={"export_sync_max_rows": SUBMITTED - 1})):
        response = await api.get("/api/v1/exports/assessments.xlsx", headers=bearer(token))
    assert response.status_code == 202, response.text
    export_id = response.json()["export_id"]
    assert response.json()["status"] == "pending"
    assert [e["aggregate_id"] for e in outbox(db, "export.requested")] == [export_id]
    assert relay_export_requests(db)[0]["rows"] == SUBMITTED
