"""Reading assessments, respondents and reports; enumerators see only what they entered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.assessments import service
from shared.assessments.models import SubmissionCreate
from shared.db import Database
from shared.request_context import RequestContext
from shared.runtime import Runtime
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small
from tests.integration.test_submissions import body, counts


@pytest.fixture
async def world(api: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    add_test_sectors(db)
    root = await signup_first(api)
    admin = str((await login_tokens(api, root))["access_token"])
    published = await publish_small(api, admin)
    tokens = {"admin": admin}
    for name in ("enum1", "enum2"):
        account = await invite_and_signup(api, admin, f"{name}@example.org", "enumerator")
        tokens[name] = str((await login_tokens(api, account))["access_token"])
    analyst = await invite_and_signup(api, admin, "ana@example.org", "analyst")
    tokens["analyst"] = str((await login_tokens(api, analyst))["access_token"])
    ids = {}
    plan = [("enum1", "+2250700000011", "ict", {}), ("enum1", "+2250700000012", "agri", {"sums": 2}),
            ("enum2", "+2250700000013", "ict", {"has_phone": "no", "apps": None})]  # fmt: skip
    for i, (who, phone, sector, answers) in enumerate(plan):
        payload = body(published, phone, **answers)
        payload["respondent"]["sector"] = sector
        response = await api.post(
            "/api/v1/assessments/submit", json=payload, headers=bearer(tokens[who]) | {"Idempotency-Key": f"k{i}"}
        )
        assert response.status_code == 201, response.text
        ids[f"{who}-{i}"] = response.json()
    return {"tokens": tokens, "ids": ids, "published": published}


async def test_enumerators_see_only_their_own(api: httpx.AsyncClient, world: dict[str, Any]) -> None:
    tokens, ids = world["tokens"], world["ids"]
    mine = (await api.get("/api/v1/assessments", headers=bearer(tokens["enum1"]))).json()["items"]
    assert {a["id"] for a in mine} == {ids["enum1-0"]["assessment_id"], ids["enum1-1"]["assessment_id"]}
    theirs = ids["enum2-2"]
    assert (
        await api.get(f"/api/v1/assessments/{theirs['assessment_id']}", headers=bearer(tokens["enum1"]))
    ).status_code == 404
    assert (
        await api.get(f"/api/v1/respondents/{theirs['respondent_id']}", headers=bearer(tokens["enum1"]))
    ).status_code == 404
    respondents = (await api.get("/api/v1/respondents", headers=bearer(tokens["enum1"]))).json()["items"]
    assert len(respondents) == 2
    everything = (await api.get("/api/v1/assessments", headers=bearer(tokens["analyst"]))).json()["items"]
    assert len(everything) == 3
    # An enumerator cannot submit for a respondent entered by someone else.
    payload = body(world["published"]) | {"respondent": {"id": theirs["respondent_id"]}}
    response = await api.post(
        "/api/v1/assessments/submit", json=payload, headers=bearer(tokens["enum1"]) | {"Idempotency-Key": "x"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "body.respondent.id"
    # ... and can submit again for one of their own, by id.
    payload = body(world["published"]) | {"respondent": {"id": ids["enum1-0"]["respondent_id"]}}
    response = await api.post(
        "/api/v1/assessments/submit", json=payload, headers=bearer(tokens["enum1"]) | {"Idempotency-Key": "y"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["respondent_id"] == ids["enum1-0"]["respondent_id"]


async def _submit(api: httpx.AsyncClient, token: str, payload: dict[str, Any], key: str) -> httpx.Response:
    return await api.post("/api/v1/assessments/submit", json=payload, headers=bearer(token) | {"Idempotency-Key": key})


async def test_a_phone_entered_by_another_enumerator_reveals_nothing_and_drops_nothing(
    api: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    tokens, ids = world["tokens"], world["ids"]
    theirs = ids["enum2-2"]  # enum2's respondent, phone +2250700000013, sector ict
    payload = body(world["published"], "+2250700000013")
    payload["respondent"].update(name="Kofi", sector="agri")
    response = await _submit(api, tokens["enum1"], payload, "shared-phone")
    assert response.status_code == 201, response.text
    mine = response.json()["respondent_id"]
    assert mine != theirs["respondent_id"]
    # What enum1 sent is what is stored, under enum1's own respondent; enum2's is untouched and still unseen.
    own = (await api.get(f"/api/v1/respondents/{mine}", headers=bearer(tokens["enum1"]))).json()
    assert (own["name"], own["sector"], own["phone"]) == ("Kofi", "agri", "+2250700000013")
    detail = await api.get(f"/api/v1/assessments/{response.json()['assessment_id']}", headers=bearer(tokens["enum1"]))
    assert detail.json()["respondent"]["id"] == mine
    with db.transaction(read_only=True) as conn:
        row = conn.execute("SELECT sector FROM assessments WHERE id = %s", (response.json()["assessment_id"],))
        assert row.fetchone() == {"sector": "agri"}
    assert (
        await api.get(f"/api/v1/respondents/{theirs['respondent_id']}", headers=bearer(tokens["enum1"]))
    ).status_code == 404
    listed = (await api.get("/api/v1/respondents", headers=bearer(tokens["enum1"]))).json()["items"]
    assert theirs["respondent_id"] not in {r["id"] for r in listed}
    their_own = await api.get(f"/api/v1/respondents/{theirs['respondent_id']}", headers=bearer(tokens["enum2"]))
    assert their_own.json()["name"] == "Awa"


async def test_a_new_respondent_with_a_phone_the_caller_can_see_is_409_naming_it(
    api: httpx.AsyncClient, world: dict[str, Any], db: Database
) -> None:
    tokens, ids = world["tokens"], world["ids"]
    before = counts(db)
    again = await _submit(api, tokens["enum1"], body(world["published"], "+2250700000011"), "again")
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "respondent_exists"
    assert again.json()["error"]["details"]["respondent_id"] == ids["enum1-0"]["respondent_id"]
    # An analyst sees every respondent, so enum2's phone is one they are told about.
    seen = await _submit(api, tokens["analyst"], body(world["published"], "+2250700000013"), "seen")
    assert seen.status_code == 409
    assert seen.json()["error"]["details"]["respondent_id"] == ids["enum2-2"]["respondent_id"]
    assert counts(db) == before


def test_the_whatsapp_channel_knows_its_respondents_by_phone(
    world: dict[str, Any], db: Database, runtime: Runtime
) -> None:
    channel = service.Caller(scope="whatsapp:+2250700000011")
    first = SubmissionCreate.model_validate(body(world["published"], "+2250700000011"))
    created = service.submit(runtime, channel, "conversation-1", first, RequestContext())
    second = first.model_copy(deep=True)
    second.respondent.name = "Awa Kone"  # type: ignore[union-attr]
    again = service.submit(runtime, channel, "conversation-2", second, RequestContext())
    assert again.body["respondent_id"] == created.body["respondent_id"]
    # Its own respondent, never the enumerator's with the same phone.
    assert created.body["respondent_id"] != world["ids"]["enum1-0"]["respondent_id"]
    with db.transaction(read_only=True) as conn:
        row = conn.execute("SELECT name FROM respondents WHERE id = %s", (again.body["respondent_id"],)).fetchone()
    assert row == {"name": "Awa Kone"}


@pytest.mark.parametrize("started", ["0001-01-01T00:00:00Z", "two days ago"])
async def test_a_start_before_the_version_could_be_taken_is_refused(
    api: httpx.AsyncClient, world: dict[str, Any], db: Database, started: str
) -> None:
    if started == "two days ago":
        started = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    before = counts(db)
    payload = body(world["published"], "+2250700000099") | {"started_at": started}
    response = await _submit(api, world["tokens"]["admin"], payload, "old-start")
    assert response.status_code == 422, response.text
    assert [d["path"] for d in response.json()["error"]["details"]] == ["body.started_at"]
    assert counts(db) == before


async def test_both_reports_place_an_assessment_by_when_it_was_submitted(
    api: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    admin = world["tokens"]["admin"]
    since = datetime.now(UTC).isoformat()
    payload = body(world["published"], "+2250700000098") | {
        "started_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    }
    submitted = await _submit(api, admin, payload, "started-earlier")
    assert submitted.status_code == 201, submitted.text
    detail = await api.get(f"/api/v1/assessments/{submitted.json()['assessment_id']}", headers=bearer(admin))
    assert detail.status_code == 200
    sectors = (await api.get("/api/v1/reports/sectors", params={"since": since}, headers=bearer(admin))).json()
    skills = (await api.get("/api/v1/reports/skills", params={"since": since}, headers=bearer(admin))).json()
    assert [(s["sector"], s["assessments"], s["started"]) for s in sectors["sectors"]] == [("ict", 1, 1)]
    assert {s["skill"]: s["assessments"] for s in skills["skills"]} == {
        s["skill"]: s["assessments"] for s in sectors["sectors"][0]["skills"]
    }
    assert {s["assessments"] for s in skills["skills"]} == {1}


async def test_filters_and_cursor_pagination(api: httpx.AsyncClient, world: dict[str, Any]) -> None:
    admin = world["tokens"]["admin"]
    ict = (await api.get("/api/v1/assessments", params={"sector": "ict"}, headers=bearer(admin))).json()["items"]
    assert {a["sector"] for a in ict} == {"ict"}
    assert len(ict) == 2
    first = (await api.get("/api/v1/assessments", params={"limit": 2}, headers=bearer(admin))).json()
    rest = (await api.get("/api/v1/assessments", params={"limit": 2, "cursor": first["next_cursor"]},
                          headers=bearer(admin))).json()  # fmt: skip
    assert rest["next_cursor"] is None
    assert len({a["id"] for a in first["items"] + rest["items"]}) == 3
    bad = await api.get("/api/v1/assessments", params={"cursor": "nonsense"}, headers=bearer(admin))
    assert bad.status_code == 422


async def test_detail_has_labels_scores_and_recommendations(api: httpx.AsyncClient, world: dict[str, Any]) -> None:
    admin = world["tokens"]["admin"]
    detail = (
        await api.get(f"/api/v1/assessments/{world['ids']['enum1-0']['assessment_id']}", headers=bearer(admin))
    ).json()
    apps = next(a for a in detail["answers"] if a["code"] == "apps")
    assert apps["value"] == ["whatsapp", "email"]
    assert apps["value_labels"] == ["WhatsApp", "Email"]
    assert apps["score"] == 0.75
    assert {s["skill"]: s["score"] for s in detail["scores"]} == {"digital": 81.25, "numeracy": 70.0}
    assert detail["respondent"]["phone"] == "+2250700000011"
    assert len(detail["recommendations"]) == 2


async def test_sector_and_skill_reports(api: httpx.AsyncClient, world: dict[str, Any]) -> None:
    admin = world["tokens"]["admin"]
    sectors = {
        s["sector"]: s for s in (await api.get("/api/v1/reports/sectors", headers=bearer(admin))).json()["sectors"]
    }
    ict = sectors["ict"]
    assert (ict["assessments"], ict["started"], ict["completion_rate"]) == (2, 2, 1.0)
    digital = next(s for s in ict["skills"] if s["skill"] == "digital")
    # 81.25 and 37.5: mean 59.375 -> 59.38; one advanced, one beginner; buckets 80-90 and 30-40.
    assert digital["mean"] == 59.38
    assert digital["bands"] == {"advanced": 1, "beginner": 1}
    assert digital["distribution"] == [0, 0, 0, 1, 0, 0, 0, 0, 1, 0]
    skills = {s["skill"]: s for s in (await api.get("/api/v1/reports/skills", headers=bearer(admin))).json()["skills"]}
    assert skills["numeracy"]["assessments"] == 3
    assert skills["numeracy"]["by_sector"] == {"agri": 20.0, "ict": 70.0}
    assert (await api.get("/api/v1/reports/sectors", headers=bearer(world["tokens"]["enum1"]))).status_code == 403
