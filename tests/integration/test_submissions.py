"""Submitting assessments: atomic, idempotent, validated, scored by the rubric (checked by hand here)."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from shared.db import Database
from tests.integration.auth_helpers import bearer, login_tokens, signup_first
from tests.integration.questionnaire_helpers import add_test_sectors, publish_small

TABLES = ("assessments", "answers", "skill_scores", "assessment_recommendations", "outbox", "respondents")


@pytest.fixture
async def setup(api: httpx.AsyncClient, db: Database) -> dict[str, Any]:
    add_test_sectors(db)
    root = await signup_first(api)
    token = str((await login_tokens(api, root))["access_token"])
    return {"token": token, **(await publish_small(api, token))}


def body(s: dict[str, Any], phone: str = "+2250700000001", **answers: Any) -> dict[str, Any]:
    values = {"has_phone": "yes", "apps": ["whatsapp", "email"], "confidence": 4, "sums": 7, "comment": "ok"}
    values.update(answers)
    return {
        "questionnaire_version_id": s["version_id"],
        "respondent": {"phone": phone, "name": "Awa", "sector": "ict", "region": "Abidjan"},
        "answers": [{"question_id": s["questions"][k], "value": v} for k, v in values.items() if v is not None],
    }


def counts(db: Database) -> dict[str, int]:
    with db.transaction(read_only=True) as conn:
        return {t: int(conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]) for t in TABLES}  # type: ignore[index]


async def submit(api: httpx.AsyncClient, s: dict[str, Any], payload: Any, key: str | None = "k-1") -> httpx.Response:
    headers = bearer(s["token"]) | ({"Idempotency-Key": key} if key else {})
    # Sent as written: Python's json writes NaN and Infinity, as some clients do.
    headers["Content-Type"] = "application/json"
    return await api.post("/api/v1/assessments/submit", content=json.dumps(payload), headers=headers)


async def test_scores_and_recommendations_follow_the_rubric(api: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    response = await submit(api, setup, body(setup))
    assert response.status_code == 201, response.text
    result = response.json()
    # digital: (1*1 + 2*(3/4) + 1*(3/4)) / 4 = 81.25; numeracy: 7/10 = 70.00 (the advanced band starts at 70).
    assert {s["skill"]: (s["score"], s["band"]) for s in result["scores"]} == {
        "digital": (81.25, "advanced"),
        "numeracy": (70.0, "advanced"),
    }
    assert [(r["skill"], r["band"], r["priority"]) for r in result["recommendations"]] == [
        ("digital", "advanced", 3),
        ("numeracy", "advanced", 3),
    ]
    # Hidden questions do not count: no phone -> apps hidden -> digital = (0 + 3/4) / 2 = 37.5.
    other = await submit(api, setup, body(setup, "+2250700000002", has_phone="no", apps=None), key="k-2")
    assert other.status_code == 201, other.text
    assert {s["skill"]: (s["score"], s["band"]) for s in other.json()["scores"]}["digital"] == (37.5, "beginner")


async def test_replay_other_body_and_missing_key(api: httpx.AsyncClient, setup: dict[str, Any], db: Database) -> None:
    first = await submit(api, setup, body(setup))
    again = await submit(api, setup, body(setup))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    other = await submit(api, setup, body(setup, sums=3))
    assert other.status_code == 422
    assert other.json()["error"]["details"][0]["path"] == "header.Idempotency-Key"
    missing = await submit(api, setup, body(setup), key=None)
    assert missing.status_code == 400
    assert counts(db)["assessments"] == 1


async def test_fifty_concurrent_submissions_with_one_key_store_exactly_one(
    api: httpx.AsyncClient, setup: dict[str, Any], db: Database
) -> None:
    responses = await asyncio.gather(*(submit(api, setup, body(setup), key="same") for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    bodies = [r.json() for r in responses if r.status_code == 201]
    assert bodies
    assert all(b == bodies[0] for b in bodies)
    assert counts(db)["assessments"] == 1
    assert counts(db)["outbox"] == 1


async def test_a_key_still_in_flight_is_409_with_retry_after(
    api: httpx.AsyncClient, setup: dict[str, Any], db: Database, database_url: str
) -> None:
    me = (await api.get("/api/v1/auth/me", headers=bearer(setup["token"]))).json()
    with psycopg.connect(database_url) as holder:  # the first request, still running
        holder.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"user:{me['id']}\x1fheld",))
        response = await submit(api, setup, body(setup), key="held")
    assert response.status_code == 409, response.text
    assert int(response.headers["retry-after"]) >= 1
    assert counts(db)["assessments"] == 0


INVALID = {
    "unknown question": lambda s, b: b["answers"].append({"question_id": str(uuid.uuid4()), "value": "x"}),
    "option of another question": lambda s, b: b["answers"][0].update(value="whatsapp"),
    "multi with unknown option": lambda s, b: b["answers"][1].update(value=["whatsapp", "fax"]),
    "multi not a list": lambda s, b: b["answers"][1].update(value="whatsapp"),
    "multi empty": lambda s, b: b["answers"][1].update(value=[]),
    "multi duplicate": lambda s, b: b["answers"][1].update(value=["email", "email"]),
    "scale out of range": lambda s, b: b["answers"][2].update(value=9),
    "scale not whole": lambda s, b: b["answers"][2].update(value=2.5),
    "scale as text": lambda s, b: b["answers"][2].update(value="4"),
    "numeric below min": lambda s, b: b["answers"][3].update(value=-1),
    "numeric bool": lambda s, b: b["answers"][3].update(value=True),
    "text as number": lambda s, b: b["answers"][4].update(value=5),
    "required missing": lambda s, b: b["answers"].pop(3),
    "hidden answered": lambda s, b: b["answers"][0].update(value="no"),
    "answered twice": lambda s, b: b["answers"].append(dict(b["answers"][2])),
    "unknown version": lambda s, b: b.update(questionnaire_version_id=str(uuid.uuid4())),
    "unknown sector": lambda s, b: b["respondent"].update(sector="space"),
    "bad phone": lambda s, b: b["respondent"].update(phone="0700000000"),
    "unknown respondent": lambda s, b: b.update(respondent={"id": str(uuid.uuid4())}),
    "numeric not a number": lambda s, b: b["answers"][3].update(value=float("nan")),
    "scale infinite": lambda s, b: b["answers"][2].update(value=float("inf")),
    "blank name": lambda s, b: b["respondent"].update(name="   "),
    "started in the future": lambda s, b: b.update(started_at="2999-01-01T00:00:00Z"),
    "started without a time zone": lambda s, b: b.update(started_at="2026-01-01T10:00:00"),
    "extra field": lambda s, b: b.update(score=100),
    "answers not a list": lambda s, b: b.update(answers={"a": 1}),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
async def test_invalid_submissions_are_422_with_paths_and_write_nothing(
    api: httpx.AsyncClient, setup: dict[str, Any], db: Database, case: str
) -> None:
    before = counts(db)
    payload = body(setup)
    INVALID[case](setup, payload)
    response = await submit(api, setup, payload, key=f"bad-{case}")
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert details
    assert all(d["path"] for d in details)
    assert counts(db) == before


async def test_every_problem_is_reported_at_once(api: httpx.AsyncClient, setup: dict[str, Any], db: Database) -> None:
    before = counts(db)
    payload = body(setup)
    payload["respondent"]["sector"] = "space"
    payload["answers"][2]["value"] = 9
    response = await submit(api, setup, payload, key="two-problems")
    assert response.status_code == 422
    paths = {d["path"] for d in response.json()["error"]["details"]}
    assert paths == {"body.answers.2.value", "body.respondent.sector"}
    assert counts(db) == before


async def test_a_respondent_error_is_reported_for_the_shape_that_was_meant(
    api: httpx.AsyncClient, setup: dict[str, Any]
) -> None:
    payload = body(setup)
    payload["respondent"]["phone"] = "0700000000"
    new = await submit(api, setup, payload, key="bad-new")
    assert [d["path"] for d in new.json()["error"]["details"]] == ["body.respondent.phone"]
    payload["respondent"] = {"id": "not-a-uuid"}
    ref = await submit(api, setup, payload, key="bad-ref")
    assert [d["path"] for d in ref.json()["error"]["details"]] == ["body.respondent.id"]


async def test_a_draft_version_is_refused(api: httpx.AsyncClient, setup: dict[str, Any]) -> None:
    draft = await api.post(
        f"/api/v1/questionnaires/{setup['questionnaire_id']}/versions/{setup['version_id']}/draft",
        headers=bearer(setup["token"]),
    )
    payload = body(setup) | {"questionnaire_version_id": draft.json()["version_id"]}
    response = await submit(api, setup, payload, key="draft")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "body.questionnaire_version_id"


async def test_a_backend_killed_mid_submission_leaves_nothing_and_a_retry_stores_one(
    api: httpx.AsyncClient, setup: dict[str, Any], db: Database, database_url: str
) -> None:
    before = counts(db)
    with psycopg.connect(database_url, autocommit=True) as blocker:
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")  # the submission will wait here
        killed = threading.Event()

        def kill_the_waiting_backend() -> None:
            with psycopg.connect(database_url, autocommit=True) as admin:
                for _ in range(3000):
                    row = admin.execute(
                        "SELECT pid FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND query LIKE '%%submit_assessment%%'"
                    ).fetchone()
                    if row:
                        admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                        killed.set()
                        return
                    killed.wait(0.01)

        killer = threading.Thread(target=kill_the_waiting_backend)
        killer.start()
        response = await submit(api, setup, body(setup), key="crash")
        killer.join(timeout=60)
        blocker.execute("ROLLBACK")
    assert killed.is_set()
    assert response.status_code == 503  # the outcome was unknown to this request: it is not sent twice
    assert counts(db) == before
    retry = await submit(api, setup, body(setup), key="crash")
    assert retry.status_code == 201, retry.text
    assert counts(db)["assessments"] == before["assessments"] + 1


async def test_values_the_database_cannot_hold_are_refused_at_the_api_with_their_path(
    api: httpx.AsyncClient, setup: dict[str, Any], db: Database
) -> None:
    before = counts(db)
    payload = body(setup)
    payload["respondent"]["name"] = "A\u0000wa"
    response = await api.post(
        "/api/v1/assessments/submit",
        content=json.dumps(payload),
        headers=bearer(setup["token"]) | {"Idempotency-Key": "nul", "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert [d["path"] for d in response.json()["error"]["details"]] == ["body.respondent.name"]
    assert counts(db) == before
    out_of_range = await api.get(
        "/api/v1/questions",
        params={"questionnaire_id": str(uuid.uuid4()), "version": 2**31},
        headers=bearer(setup["token"]),
    )
    assert out_of_range.status_code == 422
    assert [d["path"] for d in out_of_range.json()["error"]["details"]] == ["query.version"]
    cursor = await api.get("/api/v1/audit", params={"cursor": "9" * 20}, headers=bearer(setup["token"]))
    assert cursor.status_code == 422
    assert [d["path"] for d in cursor.json()["error"]["details"]] == ["query.cursor"]
    nul_query = await api.get("/api/v1/users", params={"cursor": "a\x00b"}, headers=bearer(setup["token"]))
    assert nul_query.status_code == 422
    assert [d["path"] for d in nul_query.json()["error"]["details"]] == ["query.cursor"]
