"""Questionnaires through the API: import, publish, immutability, drafts, the questions contract."""

from __future__ import annotations

import copy

import httpx
import pytest

from shared.db import Database
from tests.integration.auth_helpers import bearer, invite_and_signup, login_tokens, signup_first
from tests.integration.questionnaire_helpers import publish_small, small_definition


@pytest.fixture
async def admin(api: httpx.AsyncClient) -> str:
    root = await signup_first(api)
    return str((await login_tokens(api, root))["access_token"])


def _count(db: Database, table: str) -> int:
    with db.transaction(read_only=True) as conn:
        return int(conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"])  # type: ignore[index]


async def test_import_publish_and_read_the_questions_contract(api: httpx.AsyncClient, admin: str) -> None:
    published = await publish_small(api, admin)
    response = await api.get("/api/v1/questions", headers=bearer(admin), params={"lang": "fr"})
    body = response.json()
    assert set(body) == {"questionnaire", "questions"}
    assert body["questionnaire"]["version_id"] == published["version_id"]
    assert body["questionnaire"]["title"] == "Mini assessment (fr)"
    first = body["questions"][0]
    assert {"id", "code", "skill", "type", "required", "min", "max", "options", "show_if", "weight"} <= set(first)
    # An editor gets the weights and option scores, to give them again when editing a question.
    assert first["options"] == [{"code": "yes", "label": "Yes (fr)", "score": "1"}, {"code": "no", "label": "No (fr)",
                                                                                     "score": "0"}]  # fmt: skip
    assert [q["weight"] for q in body["questions"]] == ["1", "2", "1", "1", "0"]
    assert body["questions"][1]["show_if"] == {"question": "has_phone", "equals": "yes"}
    scale = body["questions"][2]
    assert (scale["type"], scale["min"], scale["max"]) == ("scale", 1, 5)


async def test_only_editors_read_the_weights_and_option_scores(api: httpx.AsyncClient, admin: str) -> None:
    await publish_small(api, admin)
    for role in ("analyst", "enumerator"):
        account = await invite_and_signup(api, admin, f"{role}@example.org", role)
        token = str((await login_tokens(api, account))["access_token"])
        body = (await api.get("/api/v1/questions", headers=bearer(token))).json()
        assert {q["weight"] for q in body["questions"]} == {None}, role
        assert {o["score"] for q in body["questions"] for o in q["options"]} == {None}, role


async def test_an_invalid_import_lists_every_problem_and_stores_nothing(
    api: httpx.AsyncClient, admin: str, db: Database
) -> None:
    bad = copy.deepcopy(small_definition())
    bad["questions"][0]["skill"] = "nope"
    bad["questions"][1]["show_if"] = {"question": "comment", "equals": "x"}
    bad["rubric"]["bands"][1]["min"] = 45
    response = await api.post("/api/v1/questionnaires/import", json=bad, headers=bearer(admin))
    assert response.status_code == 422
    paths = {d["path"] for d in response.json()["error"]["details"]}
    assert {"body.questions.0.skill", "body.questions.1.show_if.question", "body.rubric.bands"} <= paths
    assert _count(db, "questionnaires") == 0
    assert _count(db, "questions") == 0


async def test_blank_labels_and_an_overlong_title_are_refused_with_their_paths(
    api: httpx.AsyncClient, admin: str, db: Database
) -> None:
    bad = copy.deepcopy(small_definition())
    bad["title"]["en"] = "T" * 201
    bad["questions"][0]["label"]["fr"] = "   "
    response = await api.post("/api/v1/questionnaires/import", json=bad, headers=bearer(admin))
    assert response.status_code == 422
    paths = {d["path"] for d in response.json()["error"]["details"]}
    assert {"body.title.en", "body.questions.0.label.fr"} <= paths
    assert _count(db, "questionnaires") == 0


async def test_a_published_version_is_immutable_and_edits_go_to_a_new_draft(
    api: httpx.AsyncClient, admin: str, db: Database
) -> None:
    published = await publish_small(api, admin)
    question_id = published["questions"]["confidence"]
    changed = small_definition()["questions"][2] | {"max": 10}
    assert (await api.patch(f"/api/v1/questions/{question_id}", json=changed, headers=bearer(admin))).status_code == 409
    assert (await api.delete(f"/api/v1/questions/{question_id}", headers=bearer(admin))).status_code == 409
    with pytest.raises(Exception, match="published"), db.transaction() as conn:
        conn.execute("UPDATE questions SET label_en = 'sneaky' WHERE id = %s", (question_id,))

    draft = await api.post(
        f"/api/v1/questionnaires/{published['questionnaire_id']}/versions/{published['version_id']}/draft",
        headers=bearer(admin),
    )
    assert draft.status_code == 201
    assert draft.json()["version"] == 2
    new_question = {"code": "extra", "skill": "numeracy", "type": "numeric", "label": {"en": "E", "fr": "E"},
                    "min": 0, "max": 3}  # fmt: skip
    added = await api.post(
        "/api/v1/questions", json={"version_id": draft.json()["version_id"], "question": new_question},
        headers=bearer(admin),
    )  # fmt: skip
    assert added.status_code == 201, added.text
    # The active version is still the published one until the draft is published.
    active = (await api.get("/api/v1/questions", headers=bearer(admin))).json()
    assert active["questionnaire"]["version_id"] == published["version_id"]
    assert "extra" not in {q["code"] for q in active["questions"]}
    pinned = await api.get(
        "/api/v1/questions", headers=bearer(admin),
        params={"questionnaire_id": published["questionnaire_id"], "version": 2},
    )  # fmt: skip
    assert "extra" in {q["code"] for q in pinned.json()["questions"]}


async def test_sectors_are_listed_in_the_callers_language(api: httpx.AsyncClient, admin: str, db: Database) -> None:
    with db.transaction() as conn:
        conn.execute("INSERT INTO sectors (code, label_en, label_fr) VALUES ('ict', 'ICT', 'TIC')")
    body = (await api.get("/api/v1/sectors", params={"lang": "fr"}, headers=bearer(admin))).json()
    assert body["items"] == [{"code": "ict", "label": "TIC", "label_en": "ICT", "label_fr": "TIC"}]


async def test_wrong_media_type_is_415(api: httpx.AsyncClient, admin: str) -> None:
    response = await api.post(
        "/api/v1/questionnaires/import", content=b"a,b", headers={**bearer(admin), "content-type": "text/csv"}
    )
    assert response.status_code == 415


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_sample_workbook_imports_and_a_broken_one_stores_nothing(
    api: httpx.AsyncClient, admin: str, db: Database
) -> None:
    from pathlib import Path

    import openpyxl

    sample = Path(__file__).parents[2] / "shared" / "questionnaires" / "samples" / "skills_baseline.xlsx"
    imported = await api.post(
        "/api/v1/questionnaires/import", params={"publish": "true"}, content=sample.read_bytes(),
        headers={**bearer(admin), "content-type": XLSX},
    )  # fmt: skip
    assert imported.status_code == 201, imported.text
    assert (imported.json()["status"], imported.json()["questions"]) == ("published", 27)

    book = openpyxl.load_workbook(sample)
    book["questions"]["C2"] = "essay"  # not a question type
    book["options"]["A3"] = "no_such_question"
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    before = _count(db, "questions")
    broken = await api.post(
        "/api/v1/questionnaires/import", content=buffer.getvalue(), headers={**bearer(admin), "content-type": XLSX}
    )
    assert broken.status_code == 422
    paths = [d["path"] for d in broken.json()["error"]["details"]]
    assert any(p.startswith("questions!2") for p in paths), paths
    assert any(p.startswith("options!3") for p in paths), paths
    assert _count(db, "questions") == before
